package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Flags;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LlmPrices;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.sae.Sae;
import dev.saestream.serve.CatalogView;
import dev.saestream.serve.EncoderSlot;
import dev.saestream.serve.KnownSaes;
import dev.saestream.serve.LocalStages;
import dev.saestream.serve.ServeConfig;
import dev.saestream.serve.ServeServer;
import dev.saestream.serve.StageGroups;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream serve}: the web page, API and metrics over a catalogue whose stages run anywhere. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the catalogue: the web page, the JSON API (/api/...), server-sent events and Prometheus",
            "metrics (/metrics), from this server's own reading of saestream.features and saestream.labels. The stages",
            "may run elsewhere; any number of servers can run at once. Runs until Ctrl-C."
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ServeOptions serve;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--sae",
            paramLabel = "DIR",
            description = "The SAE directory (default: encode.sae): its width, its decoder for nearest features, and "
                    + "with the model the encoder behind POST /api/activations.")
    String sae;

    @Option(
            names = "--compare-sae",
            paramLabel = "DIR",
            description =
                    "Another SAE directory whose weights to load"
                            + " (repeatable), for /api/compare and the feature pages' matches; its features are the catalogue of its own id.")
    List<java.nio.file.Path> compareSaes = new java.util.ArrayList<>();

    @Option(
            names = "--sae-id",
            paramLabel = "ID",
            description = "The id the SAE's features are catalogued under (default: encode.saeId).")
    String saeId;

    @Option(
            names = "--encoder",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Open the transformer and SAE for POST /api/activations (default: yes; serve.encoder).")
    boolean encoder;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = config.settings();
        ServeConfig sc = serve.config(settings);
        EncodeConfig ec = settings.section(
                EncodeConfig.SECTION,
                EncodeConfig.defaults(),
                c -> Flags.on(c)
                        .given(sae, EncodeConfig::withSae)
                        .given(saeId, EncodeConfig::withSaeId)
                        .config());
        try (Shutdown stop = Shutdown.install(spec.commandLine().getErr())
                        .message("stopping the server (Ctrl-C again to force)");
                KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            Sae weights = loadSae(ec);
            EncoderSlot slot = weights == null
                    ? EncoderSlot.none("this server has no SAE (see --sae)")
                    : sc.encoder() && encoder
                            ? EncoderSlot.open(model.config(settings), weights, ec)
                            : EncoderSlot.none("this server runs without an encoder (--no-encoder)");
            ServeServer server = ServeServer.start(
                    sc,
                    CatalogView.start(session.clientConfig()),
                    new KnownSaes(known(weights)),
                    slot,
                    LocalStages.NONE,
                    session.clientConfig(),
                    groups(settings),
                    prices(settings));
            try (server) {
                out.println("kafka: " + session.bootstrapServers());
                out.println("open " + server.url() + "  (Ctrl-C stops)");
                stop.await();
            }
            out.println("stopped serving");
            return stop.exitCode(ExitCode.OK);
        }
    }

    /** The SAE served (when there is one) and those of --compare-sae. */
    private List<Sae> known(Sae served) throws java.io.IOException {
        List<Sae> out = new java.util.ArrayList<>();
        if (served != null) {
            out.add(served);
        }
        for (java.nio.file.Path dir : compareSaes) {
            Sae other = Sae.load(dir);
            if (out.stream().anyMatch(k -> k.id().equals(other.id()))) {
                throw new IllegalArgumentException(
                        "--compare-sae " + dir + " is SAE " + other.id() + ", already loaded");
            }
            out.add(other);
        }
        return out;
    }

    /** The SAE named by encode.sae, under its catalogue id; null (said once) when the directory is absent. */
    private Sae loadSae(EncodeConfig ec) throws java.io.IOException {
        Path dir = Home.resolve(ec.sae());
        if (!Files.isRegularFile(dir.resolve("cfg.json"))) {
            spec.commandLine()
                    .getErr()
                    .println("no SAE at " + dir + ": features are shown without width, nearest features or encoder");
            return null;
        }
        Sae s = Sae.load(dir);
        return ec.saeId() == null || ec.saeId().isBlank() ? s : s.withId(ec.saeId());
    }

    /** The {@code prices} section: what the status's LLM tokens cost in dollars (none while unset). */
    static LlmPrices prices(Settings settings) {
        return settings.section("prices", LlmPrices.DEFAULTS);
    }

    /** The stages' group ids, for their lag. */
    static StageGroups groups(Settings settings) {
        return new StageGroups(
                settings.section(EncodeConfig.SECTION, EncodeConfig.defaults()).applicationId(),
                settings.section(CatalogConfig.SECTION, CatalogConfig.defaults())
                        .applicationId(),
                settings.section(LabelConfig.SECTION, LabelConfig.DEFAULTS)
                        .topics()
                        .groupId());
    }
}
