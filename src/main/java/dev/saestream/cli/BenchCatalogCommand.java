package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.corpus.Languages;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.CodesFile;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.TopicTraffic;
import dev.saestream.model.ModelConfig;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.sae.Sae;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saestream bench catalog}: the catalog stage alone, fed {@code saestream.codes} records
 * encoded once beforehand (and cached), so that no transformer runs in the measured part.
 */
@Command(
        name = "catalog",
        mixinStandardHelpOptions = true,
        description = {
            "The catalog stage alone on codes encoded beforehand (cached in a file): from an empty and from a",
            "warm catalogue, as a backlog and paced at a given tokens/s, with one or more instances. Per run:",
            "tokens/s, CPU per token, repartition, changelog and output records and bytes per token, time to settle.",
            "Each run uses a fresh embedded broker in a temporary directory."
        })
final class BenchCatalogCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @Option(names = "--docs", paramLabel = "N", defaultValue = "200", description = "Documents measured (default 200).")
    int docs;

    // a reservoir of 200 still takes 40% of the windows it is offered after 1,000 documents; after 200, most
    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Documents catalogued and settled before a warm scenario, not measured (default 1000).")
    int warmup;

    @Option(
            names = "--rate",
            paramLabel = "TOKENS/S",
            defaultValue = "4000",
            description = "Tokens/s of the paced scenarios, as behind a transformer (default 4000).")
    double rate;

    @Option(
            names = "--scenarios",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "young-backlog,warm-backlog,young-paced,warm-paced",
            description = "Which runs: young-backlog, warm-backlog, young-paced, warm-paced (default all four).")
    List<String> scenarios;

    @Option(
            names = "--instances",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "1,2",
            description =
                    "Catalog instances in this JVM (one application id, a state directory each), each count a run (default 1,2).")
    List<Integer> instances;

    @Option(
            names = "--codes-cache",
            paramLabel = "DIR",
            defaultValue = "data/bench",
            description =
                    "Where the encoded codes are kept, one file per SAE, model, language and document count (default data/bench).")
    Path codesCache;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        PrintWriter out = spec.commandLine().getOut();
        List<CatalogBench.Scenario> chosen =
                scenarios.stream().map(CatalogBench.Scenario::of).toList();
        if (docs <= 0 || warmup < 0 || !(rate > 0) || instances.stream().anyMatch(n -> n <= 0)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--docs, --rate and --instances must be positive and --warmup at least 0");
        }
        boolean warm = chosen.stream().anyMatch(CatalogBench.Scenario::warm);
        List<CodesFile.Entry> codes = codes(settings, (warm ? warmup : 0) + docs, out);
        List<CodesFile.Entry> warmupCodes = warm ? codes.subList(0, warmup) : List.of();
        List<CodesFile.Entry> measured = codes.subList(codes.size() - docs, codes.size());
        out.printf(
                "%,d documents (%,d tokens) measured; warm runs after %,d; paced at %,.0f tokens/s; %d cores%n",
                measured.size(),
                tokens(measured),
                warmupCodes.size(),
                rate,
                Runtime.getRuntime().availableProcessors());
        out.flush();
        ClusterConfig cluster = new ClusterConfig(
                null,
                settings.section(ClusterConfig.SECTION, ClusterConfig.defaults())
                        .topicsDir(),
                0,
                Map.of());
        CatalogConfig base = CatalogCommand.catalogConfig(settings, null, null, null);
        for (CatalogBench.Scenario scenario : chosen) {
            for (int n : instances) {
                out.printf("%n%s, %d instance%s%n", scenario.label(), n, n == 1 ? "" : "s");
                out.flush();
                Path tmp = PipelineBenchCommand.workDir("catalog-");
                try {
                    CatalogBench.Figures f =
                            CatalogBench.run(scenario, n, warmupCodes, measured, rate, base, cluster, tmp, line -> {
                                out.println("  " + line);
                                out.flush();
                            });
                    print(out, f);
                } finally {
                    PipelineBenchCommand.deleteQuietly(tmp);
                }
                out.flush();
            }
        }
        return ExitCode.OK;
    }

    /** The codes of the first {@code count} documents: from the cache file, or encoded now and cached. */
    private List<CodesFile.Entry> codes(Settings settings, int count, PrintWriter out) throws Exception {
        EncodeConfig ec = encode.config(settings);
        ModelConfig mc = model.config(settings);
        Sae sae = Sae.load(Home.resolve(ec.sae()));
        ProduceConfig pc = settings.section(ProduceConfig.SECTION, ProduceConfig.defaults());
        String modelName = mc.dir() != null ? Path.of(mc.dir()).getFileName().toString() : mc.name();
        Path file = Home.resolve(codesCache.toString())
                .resolve(String.join(
                                "-",
                                "codes",
                                safe(ec.saeId() != null && !ec.saeId().isBlank() ? ec.saeId() : sae.id()),
                                safe(modelName),
                                safe(pc.lang()),
                                ec.precision().name().toLowerCase(),
                                count + "docs")
                        + ".bin");
        // shown from the home directory when it is under it, as it was given
        Path shown = file.startsWith(Home.dir()) ? Home.dir().relativize(file) : file;
        if (Files.isRegularFile(file)) {
            List<CodesFile.Entry> cached = CodesFile.read(file);
            out.printf(
                    "codes from the cache %s: %,d documents, %,d tokens (no transformer run)%n",
                    shown, cached.size(), tokens(cached));
            return cached;
        }
        out.printf(
                "encoding %,d Europarl documents (%s) with %s and SAE %s, once: the codes go to %s%n",
                count, pc.lang(), modelName, sae.id(), shown);
        out.flush();
        List<CodesFile.Entry> entries;
        try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(mc.sharingCores(1), sae, ec);
                Stream<SourceItem> items =
                        TextSources.europarl(count, SourceOptions.defaults(), Languages.shared(), pc.languages());
                Progress progress = Progress.start("encoding", count, "docs", null)) {
            long[] done = {0, 0};
            entries = CodesFile.encode(
                    encoder,
                    ec,
                    items.filter(SourceItem.Read.class::isInstance)
                            .map(i -> ((SourceItem.Read) i).document())
                            .iterator(),
                    tokens -> {
                        progress.stepTo(++done[0]);
                        done[1] += tokens;
                        progress.extra(String.format("%,d tokens", done[1]));
                    });
        }
        if (entries.size() < count) {
            throw new IllegalStateException(
                    "the corpus has only " + entries.size() + " documents in " + pc.lang() + "; ask for fewer");
        }
        CodesFile.write(file, entries);
        out.printf("encoded %,d documents, %,d tokens; cached in %s%n", entries.size(), tokens(entries), shown);
        return entries;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._]+", "_");
    }

    private static long tokens(List<CodesFile.Entry> entries) {
        return entries.stream().mapToLong(CodesFile.Entry::tokens).sum();
    }

    /** One run's figures, a line each. */
    static void print(PrintWriter out, CatalogBench.Figures f) {
        double t = f.tokens();
        double s = f.seconds();
        String how = switch (f.scenario()) {
            case YOUNG_BACKLOG -> String.format("%.1f s of it starting", f.readyNanos() / 1e9);
            case WARM_BACKLOG -> String.format("produced in %.1f s", f.readyNanos() / 1e9);
            case YOUNG_PACED, WARM_PACED ->
                String.format(
                        "%.1f s after the last record, sent over %.1f s",
                        (f.catchUpNanos() - f.readyNanos()) / 1e9, f.readyNanos() / 1e9);
        };
        out.printf(
                "  %-26s %,10.0f tokens/s (%,d documents, %,d tokens, caught up in %.1f s, %s; settled %.1f s later)%n",
                "throughput",
                t / (f.catchUpNanos() / 1e9),
                f.documents(),
                f.tokens(),
                f.catchUpNanos() / 1e9,
                how,
                f.settleNanos() / 1e9);
        out.printf(
                "  %-26s %,10.1f µs/token catalog stream threads, %,.1f whole process%n",
                "CPU until caught up", f.catalogCpuCaughtUp() / 1e3 / t, f.processCpuCaughtUp() / 1e3 / t);
        out.printf(
                "  %-26s %,10.1f µs/token catalog stream threads, %,.1f whole process%n",
                "CPU with settling", f.catalogCpu() / 1e3 / t, f.processCpu() / 1e3 / t);
        if (f.groups().available()) {
            out.printf(
                    "  %-26s %s%n",
                    "whole process, caught up", f.groupsCaughtUp().perToken(f.tokens()));
            out.printf("  %-26s %s%n", "  with settling", f.groups().perToken(f.tokens()));
        }
        out.printf(
                "  %-26s %,10.4f records/token (%,d records, %d shards)%n",
                "repartition", f.shardRecords() / t, f.shardRecords(), f.shards());
        TopicTraffic.Written c = f.changelogs();
        out.printf(
                "  %-26s %,10.3f records/token, %,.1f bytes/token (%,.1f on disk)%n",
                "changelogs", c.records() / t, c.payloadBytes() / t, c.diskBytes() / t);
        StringBuilder byStore = new StringBuilder();
        f.written().entrySet().stream()
                .filter(e -> f.changelog(e.getKey()))
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> byStore.append(String.format(
                        "%s %.3f  ",
                        e.getKey().substring(f.applicationId().length() + 1).replace("-changelog", ""),
                        e.getValue().records() / t)));
        out.printf(
                "  %-26s %s%n", "  records/token by store", byStore.toString().strip());
        for (String topic : f.outputs()) {
            TopicTraffic.Written w = f.written().get(topic);
            out.printf(
                    "  %-26s %,10.4f records/token, %,.1f bytes/token (%,.1f on disk), %,.3f MB/s%n",
                    topic, w.records() / t, w.payloadBytes() / t, w.diskBytes() / t, w.payloadBytes() / 1e6 / s);
        }
    }
}
