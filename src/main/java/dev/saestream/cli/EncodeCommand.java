package dev.saestream.cli;

import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeApp;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream encode}: the encode stage alone; start several with the same application id to share the work. */
@Command(
        name = "encode",
        mixinStandardHelpOptions = true,
        description = {
            "Run the encode stage: saestream.texts -> tokenize, transformer to the hook, SAE encode ->",
            "saestream.codes; texts that cannot be encoded -> saestream.dlq. Instances with the same application id",
            "share the partitions. Runs until Ctrl-C."
        })
final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LogOptions logs;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Kafka Streams state directory (default ${sys:saestream.default.catalog.stateDir}).")
    String stateDir;

    @Option(names = "--progress", negatable = true, description = "Show live counts (default: when on a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        logs.toFile();
        Settings settings = config.settings();
        ModelConfig mc = model.config(settings);
        EncodeConfig ec = encode.config(settings);
        String state = Home.resolve(
                        stateDir != null
                                ? stateDir
                                : CatalogCommand.catalogConfig(settings, null, null, null)
                                        .stateDir())
                .toString();
        EncodeCounters c;
        int code;
        try (Shutdown stop = Shutdown.install(spec.commandLine().getErr());
                KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            session.createTopics();
            try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(mc, Pipeline.loadSaes(ec), ec);
                    EncodeApp app = EncodeApp.start(
                            encoder,
                            ec,
                            session.clientConfig(),
                            state,
                            kafka.cluster(settings).replicationFactor());
                    Progress bar = Progress.start("encode", -1, "docs", progress)) {
                out.println("encoding with " + encoder.transformer().modelId() + " at "
                        + encoder.transformer().hook().alias() + " and SAE " + encoder.saeId() + "; Ctrl-C stops it");
                long started = System.nanoTime();
                c = app.counters();
                while (!stop.await(1_000)) {
                    if (app.streams().state() == KafkaStreams.State.ERROR) {
                        throw new IllegalStateException("the encode stage failed; see the log above");
                    }
                    bar.stepTo(c.encoded.get() + c.deadLettered.get());
                    bar.extra(String.format(
                            "%,.0f tokens/s, %,d dead-lettered",
                            c.tokens.get() / Math.max(1e-3, (System.nanoTime() - started) / 1e9),
                            c.deadLettered.get()));
                }
            }
            code = stop.exitCode(ExitCode.OK);
        }
        // after Kafka Streams has closed (committed and checkpointed)
        out.printf("stopped: encoded %,d documents, dead-lettered %,d%n", c.encoded.get(), c.deadLettered.get());
        return code;
    }
}
