package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.FeatureSummary;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.encode.EncodedDocuments;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.Topics;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Labelling;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.serve.ServeServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream run}: the whole pipeline in one JVM, beside the embedded broker unless a cluster is given. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run saestream on one machine: the embedded Kafka broker (unless --bootstrap-servers is given),",
            "the topics, the documents (default: the bundled Europarl corpus) into saestream.texts, the encode stage",
            "(transformer + SAE) and the catalog stage. Stops once everything produced is catalogued and every",
            "changed feature's state emitted (--follow keeps it running)."
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LogOptions logs;

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

    @Option(
            names = "--label",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Run the labeller beside the pipeline (default: yes; label.* configures it).")
    boolean label;

    @Option(
            names = "--until-labelled",
            description = "After the input is catalogued, wait until every eligible feature is labelled.")
    boolean untilLabelled;

    @Mixin
    ServeOptions serve;

    @Option(names = "--no-serve", description = "Leave the web server out.")
    boolean noServe;

    @Option(
            names = "--exit-when-done",
            description = "Exit after the summary instead of serving the catalogue until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--progress", negatable = true, description = "Show progress bars (default: when on a terminal).")
    Boolean progress;

    /** Ctrl-C and SIGTERM: every wait below throws {@link Shutdown.Stopped}, and what it had open closes in order. */
    private Shutdown stop;
    /** What the stopped summary counts, once the stages have closed. */
    private Pipeline pipeline;

    private Labelling labelling;
    private long leftToEncode = -1;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        logs.toFile();
        try (Shutdown signals = Shutdown.install(spec.commandLine().getErr())) {
            stop = signals;
            try {
                return runPipeline();
            } catch (Shutdown.Stopped e) {
                // printed after the stages have closed (Kafka Streams checkpointed), so the counts include their last
                // commit
                out.println(stoppedSummary());
                return signals.exitCode(ExitCode.OK);
            }
        }
    }

    /** One line: what was encoded and catalogued, and what is left for the next start. */
    private String stoppedSummary() {
        if (pipeline == null) {
            return "stopped before the pipeline started";
        }
        EncodeCounters c = pipeline.encode().counters();
        return String.format(
                Locale.ROOT,
                "stopped: encoded %,d documents, dead-lettered %,d, emitted %,d feature states;"
                        + " %s documents in saestream.texts left to encode (the next start continues with them)%s",
                c.encoded.get(),
                c.deadLettered.get(),
                pipeline.catalog().counters().emitted.get(),
                leftToEncode < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", leftToEncode),
                labelling == null ? "" : "; " + labelling.summary());
    }

    private int runPipeline() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
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
        try (KafkaSession session = KafkaSession.startOrConnect(kafka.cluster(settings), kafka.broker(settings))) {
            out.println("kafka: " + session.bootstrapServers());
            session.createTopics();
            try (Pipeline pipeline = Pipeline.start(session, mc, ec, cc, rf);
                    Admin admin = session.admin();
                    Labelling labelling = label ? Labelling.start(settings, session) : null;
                    ServeServer server = noServe
                            ? null
                            : RunServe.start(settings, serve.config(settings), session, pipeline, labelling)) {
                this.pipeline = pipeline;
                this.labelling = labelling;
                if (server != null) {
                    out.println("open " + server.url());
                    if (server.exposure() != null) {
                        // the log's warning reaches only the log file here: the terminal shows it too
                        spec.commandLine().getErr().println("warning: " + server.exposure());
                    }
                }
                String sae = pipeline.encoder().saeId();
                out.println("encoding with " + pipeline.encoder().transformer().modelId() + " at "
                        + pipeline.encoder().transformer().hook().alias() + " and SAE " + sae);
                long started = System.nanoTime();
                EncodeCounters counters = pipeline.encode().counters();
                // a re-run of the same input produces only what the pipeline has not taken in yet
                EncodedDocuments known = EncodedDocuments.read(session.clientConfig(), ec.applicationId());
                ProduceSummary produced =
                        ProduceCommand.produce(out, session, input, pc, progress, stop, new long[1], known);
                try (Progress bar = Progress.start("encode", produced.produced(), "docs", progress)) {
                    pipeline.awaitCaughtUp(admin, Duration.ofHours(24), () -> {
                        stop.check();
                        bar.stepTo(counters.encoded.get() + counters.deadLettered.get());
                        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                        String restoring = pipeline.catalog().restore().status();
                        bar.extra(
                                restoring != null
                                        ? restoring
                                        : String.format(
                                                "%,.0f tokens/s, %,d features",
                                                counters.tokens.get() / secs, features(pipeline, sae)));
                    });
                }
                double secs = (System.nanoTime() - started) / 1e9;
                long tokens = counters.tokens.get();
                out.printf(
                        "encoded %,d documents, %,d tokens in %.1f s (%,.0f tokens/s); dead-lettered %,d%s%n",
                        counters.encoded.get(),
                        tokens,
                        secs,
                        tokens / secs,
                        counters.deadLettered.get(),
                        counters.deadLettered.get() == 0 ? "" : " " + counters.deadLetterReasons());
                // the last documents' statistics and feature states go out once the catalog has been idle a while
                try (Progress bar = Progress.start("catalogue", -1, "feature states", progress)) {
                    pipeline.awaitSettled(Duration.ofHours(1), () -> {
                        stop.check();
                        bar.stepTo(pipeline.catalog().counters().emitted.get());
                    });
                }
                long shardRecords = pipeline.catalog().counters().shardRecords.get();
                out.printf(
                        "catalogue of %s: %,d features; codes %.1f bytes/token; %.4f repartition records/token%n",
                        sae,
                        features(pipeline, sae),
                        tokens == 0 ? 0 : (double) counters.codeBytes.get() / tokens,
                        tokens == 0 ? 0 : (double) shardRecords / tokens);
                if (labelling != null) {
                    if (untilLabelled) {
                        try (Progress bar = Progress.start("label", -1, "features", progress)) {
                            labelling.awaitDone(admin, pipeline, p -> {
                                stop.check();
                                bar.maxHint(p.labelled() + p.failed() + p.pending() + p.inFlight());
                                bar.stepTo(p.labelled() + p.failed());
                            });
                        }
                    }
                    out.println(labelling.summary());
                }
                boolean deadLettered = produced.deadLettered() > 0 || counters.deadLettered.get() > 0;
                int finished = deadLettered ? ExitCode.DEAD_LETTERED : ExitCode.OK;
                if (follow) {
                    out.println("following new input" + (server != null ? " and serving " + server.url() : "")
                            + "; Ctrl-C stops");
                    stop.await();
                    stop.check();
                } else if (server != null && !exitWhenDone) {
                    // finished: Ctrl-C now only ends the serving, so the status is the run's own
                    out.println("serving the catalogue at " + server.url()
                            + "; Ctrl-C stops (--exit-when-done exits here)");
                    stop.await();
                    if (labelling != null) {
                        // it went on labelling while serving: say what it did, once it has handed over what is left
                        labelling.close();
                        out.println("stopped serving; " + labelling.summary());
                    } else {
                        out.println("stopped serving");
                    }
                }
                return finished;
            } catch (Shutdown.Stopped e) {
                // the stages have closed and committed; the broker is still up to say what is left
                try (Admin admin = session.admin()) {
                    leftToEncode = ConsumerLag.of(admin, ec.applicationId(), Set.of(Topics.TEXTS));
                }
                throw e;
            }
        }
    }

    private static long features(Pipeline pipeline, String sae) {
        try {
            return pipeline.catalog()
                    .queries()
                    .page(sae, FeatureSummary.Sort.INDEX, 0, 0)
                    .total();
        } catch (RuntimeException notYetQueryable) {
            return 0;
        }
    }
}
