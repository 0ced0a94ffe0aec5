package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.export.CatalogueSnapshot;
import dev.saestream.export.ExportConfig;
import dev.saestream.export.ExportFormat;
import dev.saestream.export.ExportSummary;
import dev.saestream.export.Exporter;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream export}: one SAE's catalogue from the topics, in Neuronpedia's, SAELens's or a plain JSON Lines format. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Writes one SAE's catalogue, as it is now on the features and labels topics, to a directory:",
            "  neuronpedia  Neuronpedia's export layout (v1/config, v1/<model>/<source>/ features, activations,"
                    + " explanations, and the scores in explanation_scores/)",
            "  saelens      the SAE directory (cfg.json, sae_weights.safetensors) with sparsity.safetensors from the"
                    + " observed densities",
            "  jsonl        features.jsonl: one feature state and its label per line"
        })
public final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--sae",
            required = true,
            paramLabel = "ID",
            description = "the SAE id, e.g. all-minilm-l6-v2/layer3/topk-3072")
    String saeId;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "neuronpedia|saelens|jsonl",
            description = "what to write: ${COMPLETION-CANDIDATES}")
    ExportFormat format;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "the directory to write (new or empty, unless --force)")
    Path out;

    @Option(
            names = "--sae-dir",
            paramLabel = "DIR",
            description =
                    "the SAE's SAELens directory (default: encode.sae); saelens needs it, neuronpedia takes decoder cosines from it")
    Path saeDir;

    @Option(names = "--gzip", description = "jsonl: write features.jsonl.gz")
    boolean gzip;

    @Option(names = "--force", description = "write into a non-empty --out, replacing what this export writes there")
    boolean force;

    @Option(
            names = "--creator",
            paramLabel = "ID",
            description = "overrides export.creatorId: Neuronpedia's creatorId and authorId")
    String creator;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when on a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        if (gzip && format != ExportFormat.JSONL) {
            throw new IllegalArgumentException(
                    "--gzip goes with --format jsonl (Neuronpedia's batches are always gzip)");
        }
        Exporter.checkOut(out, force);
        Settings settings = config.settings();
        ExportConfig cfg = settings.section(
                ExportConfig.SECTION,
                ExportConfig.defaults(),
                c -> Flags.on(c).given(creator, ExportConfig::withCreatorId).config());
        EncodeConfig encode = settings.section(EncodeConfig.SECTION, EncodeConfig.defaults());
        // the default SAE is the encode stage's, under the id the encode stage gives it
        Exporter.SaeSource sae = saeDir != null
                ? new Exporter.SaeSource(saeDir, true, null)
                : new Exporter.SaeSource(Home.resolve(encode.sae()), false, encode.saeId());
        ExportSummary summary;
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            CatalogueSnapshot snapshot = CatalogueSnapshot.read(session.clientConfig(), cfg, saeId);
            try (Progress bar = Progress.start("export", snapshot.size(), "features", progress)) {
                summary = new Exporter(cfg).export(snapshot, format, out, force, gzip, sae, bar::stepTo);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println(summary.describe());
        w.flush();
        return ExitCode.OK;
    }
}
