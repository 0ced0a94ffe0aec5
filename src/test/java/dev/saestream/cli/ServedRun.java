package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Settings;
import dev.saestream.corpus.SourceItem;
import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Labelling;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.produce.TextProducer;
import dev.saestream.serve.ServeConfig;
import dev.saestream.serve.ServeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * What {@code run} starts, in this JVM, for tests of the served page: an embedded broker, the
 * encode and catalog stages, the labeller (offline explainer, embedding scorer) and the web server
 * on a free port, over the SAE in {@code saeDir}.
 */
public final class ServedRun implements AutoCloseable {
    private final EmbeddedBroker broker;
    private final KafkaSession session;
    private final Admin admin;
    private final Pipeline pipeline;
    private final Labelling labelling;
    private final ServeServer server;

    private ServedRun(
            EmbeddedBroker broker,
            KafkaSession session,
            Admin admin,
            Pipeline pipeline,
            Labelling labelling,
            ServeServer server) {
        this.broker = broker;
        this.session = session;
        this.admin = admin;
        this.pipeline = pipeline;
        this.labelling = labelling;
        this.server = server;
    }

    /**
     * Starts it all; {@code label} overrides label settings by field path, such as sampling.minWindows (as the environment would),
     * e.g. fewer scoring examples for a quick labeller.
     */
    public static ServedRun start(Path dir, Path saeDir, Map<String, String> label) throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        KafkaSession session = null;
        Admin admin = null;
        Pipeline pipeline = null;
        Labelling labelling = null;
        try {
            session = KafkaSession.connect(
                    new ClusterConfig(broker.bootstrapServers(), "topics", 0, Map.of()), BrokerConfig.defaults());
            session.createTopics();
            admin = session.admin();
            EncodeConfig ec = new EncodeConfig(
                    "served-encode", CodesFormat.Precision.HALF, 100_000, 1, 500, "", saeDir.toString(), 64);
            // short windows and quick emissions: a page shows what the stream did within a second
            CatalogConfig cc = CatalogConfig.defaults()
                    .withApplicationId("served-catalog")
                    .withSamples(20, 8, 8, 60)
                    .withBackground(200, 16)
                    .withShards(0)
                    .withEmission(1_000, 1_000, 1.0, 0.5)
                    .withIntervals(500, 500)
                    .withState(true, dir.resolve("state").toString());
            pipeline = Pipeline.start(session, ModelConfig.defaults(), ec, cc, 1);
            Map<String, String> env = new java.util.HashMap<>();
            label.forEach((field, value) -> env.put(Settings.envName("label", field), value));
            Settings settings = Settings.load(null, env);
            labelling = Labelling.start(settings, session);
            ServeConfig d = ServeConfig.defaults();
            ServeConfig sc = new ServeConfig(
                    "127.0.0.1", 0, d.maxBodyBytes(), d.maxTextChars(), 1_000, 1_000, d.searchModel(), d.encoder());
            ServeServer server = RunServe.start(settings, sc, session, pipeline, labelling);
            return new ServedRun(broker, session, admin, pipeline, labelling, server);
        } catch (Exception | Error e) {
            closeAll(null, labelling, pipeline, admin, session, broker);
            throw e;
        }
    }

    /** The page's address, {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return server.url();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String saeId() {
        return pipeline.encoder().saeId();
    }

    /** Documents the catalogue has counted for this SAE (its interactive query). */
    public long documents() {
        return pipeline.catalog().queries().totals(saeId()).documents();
    }

    public ProduceSummary produce(Stream<SourceItem> items) {
        try (TextProducer p =
                new TextProducer(TextProducer.newProducer(session.clientConfig(), ProduceConfig.defaults()))) {
            return p.produce(items, null);
        }
    }

    /** Waits until everything produced is encoded and catalogued and the catalogue has emitted it all. */
    public void awaitCatalogued() throws InterruptedException {
        pipeline.awaitCaughtUp(admin, Duration.ofMinutes(5), () -> {});
        pipeline.awaitSettled(Duration.ofMinutes(2), () -> {});
    }

    /** Waits until the labeller has labelled every eligible feature. */
    public void awaitLabelled() throws InterruptedException {
        labelling.awaitDone(admin, pipeline, p -> {});
    }

    @Override
    public void close() {
        closeAll(server, labelling, pipeline, admin, session, broker);
    }

    private static void closeAll(AutoCloseable... all) {
        RuntimeException first = null;
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing " + c.getClass().getSimpleName() + " failed", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
