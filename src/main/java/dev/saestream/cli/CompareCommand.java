package dev.saestream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.config.Settings;
import dev.saestream.formats.Json;
import dev.saestream.label.Label;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LatestLabels;
import dev.saestream.label.Score;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.sae.CosineDistribution;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEncoders;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream compare}: which features of one SAE are which of another, by decoder cosine. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Match the features of two SAEs at the same hook one to one by the cosine of their decoder",
            "directions; print the distribution of best-match cosines and the pairs (with both labels when --labels),",
            "and write every pair and unmatched feature as JSON Lines with --out."
        })
final class CompareCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--sae",
            paramLabel = "DIR",
            required = true,
            description = "An SAE directory (SAELens layout); give exactly two: --sae A --sae B.")
    List<Path> saes;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Write the pairs and the unmatched features as JSON Lines.")
    Path out;

    @Option(
            names = "--candidates",
            defaultValue = "8",
            description = "Best partners kept per feature for the one-to-one matching (default ${DEFAULT-VALUE}).")
    int candidates;

    @Option(
            names = "--labels",
            description = "Read both SAEs' labels from saestream.labels and show them beside the pairs.")
    boolean labels;

    @Option(
            names = "--show",
            defaultValue = "10",
            description = "Pairs to print from each end: the closest and the farthest (default ${DEFAULT-VALUE}).")
    int show;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (saes.size() != 2) {
            throw new IllegalArgumentException("give exactly two SAEs: --sae A --sae B (got " + saes.size() + ")");
        }
        PrintWriter w = spec.commandLine().getOut();
        Sae a = Sae.load(saes.get(0));
        Sae b = Sae.load(saes.get(1));
        if (a.id().equals(b.id())) {
            throw new IllegalArgumentException("both SAEs have the id " + a.id()
                    + "; give one a new id (cfg.json metadata" + " saestream_id) so their features can be told apart");
        }
        long start = System.nanoTime();
        FeatureMatching.Result r = FeatureMatching.match(a, b, candidates, SaeEncoders.allThreads());
        double secs = (System.nanoTime() - start) / 1e9;
        Map<String, Label> byKey = labels ? readLabels(config.settings()) : Map.of();
        w.printf(
                "compared %s (%,d features) with %s (%,d features) in %.1f s: %,d pairs, %,d of A and %,d of B unmatched%n",
                a.id(),
                r.featuresA(),
                b.id(),
                r.featuresB(),
                secs,
                r.pairs().size(),
                r.unmatchedA().length,
                r.unmatchedB().length);
        w.println("best-match cosine of A's features: "
                + CosineDistribution.of(r.bestA()).describe());
        int n = r.pairs().size();
        w.printf("%n%7s %7s %7s  %s%n", "A", "B", "cosine", labels ? "A's label | B's label" : "");
        for (int i = 0; i < n; i++) {
            if (i == show && n > 2 * show) {
                w.printf("%7s%n", "…");
                i = n - show;
            }
            FeatureMatching.Match m = r.pairs().get(i);
            w.printf(
                    "%7d %7d %7.3f  %s%n",
                    m.a(),
                    m.b(),
                    m.cosine(),
                    labels
                            ? brief(byKey.get(a.id() + "/" + m.a())) + " | " + brief(byKey.get(b.id() + "/" + m.b()))
                            : "");
        }
        if (out != null) {
            write(out, a.id(), b.id(), r, byKey);
            w.printf(
                    "%nwrote %,d lines to %s%n", r.pairs().size() + r.unmatchedA().length + r.unmatchedB().length, out);
        }
        w.flush();
        return ExitCode.OK;
    }

    private static String brief(Label l) {
        if (l == null) {
            return "(no label)";
        }
        if (l.status() != Label.Status.OK) {
            return "(failed)";
        }
        String text = l.explanation().length() > 60 ? l.explanation().substring(0, 59) + "…" : l.explanation();
        return text.replaceAll("\\s+", " ");
    }

    private Map<String, Label> readLabels(Settings settings) {
        LabelConfig cfg = settings.section(LabelConfig.SECTION, LabelConfig.DEFAULTS);
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            return LatestLabels.read(cfg.topics().labels(), session.clientConfig(), key -> true, Duration.ofMinutes(2))
                    .byKey();
        }
    }

    private static void write(Path file, String saeA, String saeB, FeatureMatching.Result r, Map<String, Label> labels)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (FeatureMatching.Match m : r.pairs()) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.set("a", side(saeA, m.a(), labels));
                line.set("b", side(saeB, m.b(), labels));
                line.put("cosine", m.cosine());
                out.write(Json.MAPPER.writeValueAsString(line));
                out.newLine();
            }
            for (int i : r.unmatchedA()) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.set("a", side(saeA, i, labels));
                line.putNull("b");
                line.put("bestCosine", r.bestA()[i]);
                out.write(Json.MAPPER.writeValueAsString(line));
                out.newLine();
            }
            for (int j : r.unmatchedB()) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.putNull("a");
                line.set("b", side(saeB, j, labels));
                out.write(Json.MAPPER.writeValueAsString(line));
                out.newLine();
            }
        }
    }

    private static ObjectNode side(String saeId, int index, Map<String, Label> labels) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("saeId", saeId);
        n.put("index", index);
        Label l = labels.get(saeId + "/" + index);
        if (l != null && l.status() == Label.Status.OK) {
            n.put("explanation", l.explanation());
            ObjectNode scores = n.putObject("scores");
            for (Map.Entry<String, Score> e : l.scores().entrySet()) {
                ObjectNode s = scores.putObject(e.getKey());
                s.put("metric", e.getValue().metric());
                s.put("value", e.getValue().value());
                s.put("ciLow", e.getValue().ciLow());
                s.put("ciHigh", e.getValue().ciHigh());
                s.put("n", e.getValue().n());
            }
        } else {
            n.putNull("explanation");
        }
        return n;
    }
}
