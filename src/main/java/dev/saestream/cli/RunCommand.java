package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.FeatureSummary;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.model.ModelConfig;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.serve.ServeServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream run}: the whole pipeline in one JVM, beside the embedded broker unless a cluster is given. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run saestream on one machine: the embedded Kafka broker (unless --bootstrap-servers is given),",
            "the topics, the documents (default: the bundled Europarl corpus) into saestream.texts, the encode stage",
            "(transformer + SAE) and the catalog stage. Stops once everything produced is catalogued and every",
            "changed feature's state emitted (--follow keeps it running)."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    InputOptions input;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @Option(names = "--docs", paramLabel = "N", description = "Stop after N documents of the input.")
    long docs;

    @Option(names = "--follow", description = "Keep the stages running after the input is catalogued, until Ctrl-C.")
    boolean follow;

    @Option(names = "--label", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the labeller beside the pipeline (default: yes; label.* configures it).")
    boolean label;

    @Option(names = "--until-labelled", description = "After the input is catalogued, wait until every eligible feature is labelled.")
    boolean untilLabelled;

    @Mixin
    ServeOptions serve;

    @Option(names = "--no-serve", description = "Leave the web server out.")
    boolean noServe;

    @Option(names = "--exit-when-done", description = "Exit after the summary instead of serving the catalogue until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--progress", negatable = true, description = "Show progress bars (default: when on a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        if (!input.given()) {
            input.corpus = "europarl";
        }
        if (docs > 0) {
            input.limit = docs;
        }
        ProduceConfig pc = input.produceConfig(settings);
        ModelConfig mc = model.config(settings);
        EncodeConfig ec = encode.config(settings);
        CatalogConfig cc = CatalogCommand.catalogConfig(settings, null, null, null);
        int rf = kafka.cluster(settings).replicationFactor();
        try (KafkaSession session = KafkaSession.startOrConnect(kafka.cluster(settings), kafka.broker(settings, Map.of()))) {
            System.out.println("kafka: " + session.bootstrapServers());
            session.createTopics();
            try (Pipeline pipeline = Pipeline.start(session, mc, ec, cc, rf); Admin admin = session.admin()) {
                Labelling labelling = label ? Labelling.start(settings, session) : null;
                ServeServer server = noServe ? null : RunServe.start(settings, serve.config(settings), session, pipeline, labelling);
                if (server != null) {
                    System.out.println("open " + server.url());
                }
                String sae = pipeline.encoder.saeId();
                System.out.println("encoding with " + pipeline.encoder.transformer().modelId() + " at "
                        + pipeline.encoder.transformer().hook().alias() + " and SAE " + sae);
                long started = System.nanoTime();
                ProduceSummary produced = ProduceCommand.produce(session, input, pc, progress);
                EncodeCounters counters = pipeline.encode.counters();
                try (Progress bar = Progress.start("encode", produced.produced(), "docs", progress)) {
                    pipeline.awaitCaughtUp(admin, Duration.ofHours(24), () -> {
                        bar.stepTo(counters.encoded.get() + counters.deadLettered.get());
                        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                        String restoring = pipeline.catalog.restore().status();
                        bar.extra(restoring != null ? restoring : String.format("%,.0f tokens/s, %,d features",
                                counters.tokens.get() / secs, features(pipeline, sae)));
                    });
                }
                double secs = (System.nanoTime() - started) / 1e9;
                long tokens = counters.tokens.get();
                System.out.printf("encoded %,d documents, %,d tokens in %.1f s (%,.0f tokens/s); dead-lettered %,d%s%n",
                        counters.encoded.get(), tokens, secs, tokens / secs, counters.deadLettered.get(),
                        counters.deadLettered.get() == 0 ? "" : " " + counters.deadLetterReasons());
                // the last documents' statistics and feature states go out once the catalog has been idle a while
                try (Progress bar = Progress.start("catalogue", -1, "feature states", progress)) {
                    pipeline.awaitSettled(Duration.ofHours(1), () -> bar.stepTo(pipeline.catalog.counters().emitted.get()));
                }
                long shardRecords = pipeline.catalog.counters().shardRecords.get();
                System.out.printf("catalogue of %s: %,d features; codes %.1f bytes/token; %.4f repartition records/token%n",
                        sae, features(pipeline, sae), tokens == 0 ? 0 : (double) counters.codeBytes.get() / tokens,
                        tokens == 0 ? 0 : (double) shardRecords / tokens);
                if (labelling != null) {
                    if (untilLabelled) {
                        try (Progress bar = Progress.start("label", -1, "features", progress)) {
                            labelling.awaitDone(admin, pipeline, p -> {
                                bar.maxHint(p.labelled() + p.failed() + p.pending() + p.inFlight());
                                bar.stepTo(p.labelled() + p.failed());
                            });
                        }
                    }
                    System.out.println(labelling.summary());
                }
                if (follow || (server != null && !exitWhenDone)) {
                    System.out.println(follow ? "following new input; Ctrl-C stops"
                            : "serving the catalogue at " + server.url() + "; Ctrl-C stops (--exit-when-done exits here)");
                    CountDownLatch stop = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "run-shutdown"));
                    stop.await();
                }
                if (server != null) {
                    server.close();
                }
                if (labelling != null) {
                    labelling.close();
                }
                boolean deadLettered = produced.deadLettered() > 0 || counters.deadLettered.get() > 0;
                return deadLettered ? ExitCode.DEAD_LETTERED : ExitCode.OK;
            }
        }
    }

    private static long features(Pipeline pipeline, String sae) {
        try {
            return pipeline.catalog.queries().page(sae, FeatureSummary.Sort.INDEX, 0, 0).total();
        } catch (RuntimeException notYetQueryable) {
            return 0;
        }
    }
}
