package dev.saestream.serve;

import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import dev.saestream.label.Cost;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import dev.saestream.sae.TestSaes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Two versions of one catalogue served together, for the API's and the page's tests: SAE A, SAE B
 * (A's decoder rows permuted and rescaled by positive factors: feature i of A is feature
 * {@code perm.get(i)} of B, at cosine 1), both catalogued and labelled (A offline, B by two LLM
 * models, as after a relabel half-way), and a third SAE at another hook with no catalogue.
 */
public final class ComparedCatalogues implements AutoCloseable {
    public static final int D_IN = 16;
    public static final int WIDTH = 48;
    /** B's features labelled by the first model; the rest by the second. */
    public static final int FIRST_MODEL = 30;
    /** When A's catalogue was built: its first feature update; B's came 10,000 s later. */
    public static final long BUILT_MS = 1_700_000_000_000L;

    public final Sae a;
    public final Sae b;
    public final Sae other;
    public final List<Integer> perm;
    public final Map<String, Label> labels = new HashMap<>();
    private final EmbeddedBroker broker;
    private final ServeServer server;

    private ComparedCatalogues(Sae a, Sae b, Sae other, List<Integer> perm, EmbeddedBroker broker, ServeServer server) {
        this.a = a;
        this.b = b;
        this.other = other;
        this.perm = perm;
        this.broker = broker;
        this.server = server;
    }

    /** Starts a broker, writes both catalogues and serves them; returns once the server has read every label. */
    public static ComparedCatalogues start() throws Exception {
        Path dir = Files.createTempDirectory("compared-catalogues");
        EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(kafka)) {
            new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
        }
        Sae a = TestSaes.random(Architecture.TOPK, D_IN, WIDTH, 4, 21);
        List<Integer> perm = new ArrayList<>();
        for (int j = 0; j < WIDTH; j++) {
            perm.add(j);
        }
        Collections.shuffle(perm, new Random(22));
        SaeWeights w = SaeWeights.zeros(a.config());
        Random scale = new Random(23);
        for (int j = 0; j < WIDTH; j++) {
            float s = 0.5f + 2 * scale.nextFloat();
            for (int p = 0; p < D_IN; p++) {
                w.wDec()[perm.get(j) * D_IN + p] = a.weights().wDec()[j * D_IN + p] * s;
            }
        }
        Sae b = Sae.of(a.config(), w).withId(a.id() + "-retrained");
        Sae random = TestSaes.random(Architecture.TOPK, D_IN, WIDTH, 4, 24);
        SaeConfig c = random.config();
        Sae other = Sae.of(
                        new SaeConfig(
                                c.architecture(),
                                c.dIn(),
                                c.dSae(),
                                c.k(),
                                c.rescaleActsByDecoderNorm(),
                                c.applyBDecToInput(),
                                c.normalization(),
                                c.dtype(),
                                c.modelName(),
                                "blocks.1.hook_resid_post",
                                c.contextSize(),
                                c.datasetPath(),
                                c.id(),
                                c.extraMetadata()),
                        random.weights())
                .withId("other-hook-sae");
        ServeConfig config = new ServeConfig("127.0.0.1", 0, 1_000, 50, 200, 500, "all-minilm-l6-v2-q", false);
        ServeServer server = ServeServer.start(
                config,
                CatalogView.start(kafka),
                new KnownSaes(List.of(a, b, other)),
                EncoderSlot.none("this test server has no encoder"),
                LocalStages.NONE,
                kafka,
                new StageGroups("test-encode", "test-catalog", "test-label"));
        ComparedCatalogues cc = new ComparedCatalogues(a, b, other, perm, broker, server);
        cc.write(kafka);
        await(() -> cc.view().ready() && cc.labelled(a.id()) == WIDTH && cc.labelled(b.id()) == WIDTH);
        return cc;
    }

    public String url() {
        return server.url();
    }

    private CatalogView view() {
        return server.view();
    }

    private long labelled(String saeId) {
        SaeFeatures s = view().sae(saeId);
        return s == null ? 0 : s.labelCounts()[0];
    }

    private void write(Map<String, Object> kafka) {
        Random rnd = new Random(25);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
            for (Sae sae : List.of(a, b)) {
                for (int i = 0; i < WIDTH; i++) {
                    FeatureState s = state(sae.id(), i, BUILT_MS + (sae == a ? 0 : 10_000_000L) + i * 1000L, rnd);
                    p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), Json.write(s)));
                    Label.ExplainerInfo who = sae == a
                            ? new Label.ExplainerInfo("offline", null, "v1")
                            : new Label.ExplainerInfo("llm", "openai", i < FIRST_MODEL ? "model-x" : "model-y");
                    Label l = label(s, "feature " + i + " of " + sae.id(), who);
                    labels.put(s.key(), l);
                    p.send(new ProducerRecord<>(Topics.LABELS, l.key(), Json.write(l)));
                }
            }
        }
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not read both catalogues within 2 minutes");
            }
            Thread.sleep(100);
        }
    }

    private static FeatureState state(String saeId, int index, long updatedMs, Random rnd) {
        List<FeatureWindow> top = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            top.add(ServeApiTest.window("doc-" + index + "-" + i, rnd));
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        float max = top.get(0).max();
        return new FeatureState(
                saeId,
                index,
                1,
                10_000,
                30,
                5,
                3,
                30 * 0.7 * max,
                max,
                ActivationHistogram.empty(),
                top,
                top,
                updatedMs);
    }

    private static Label label(FeatureState s, String explanation, Label.ExplainerInfo who) {
        double v = 0.5 + s.index() / 200.0;
        Score score = new Score(
                "roc_auc",
                v,
                100,
                v - 0.1,
                Math.min(1, v + 0.1),
                "delong",
                0,
                0,
                "all-minilm-l6-v2-q",
                Map.of(),
                List.of());
        return new Label(
                s.saeId(),
                s.index(),
                Label.Status.OK,
                null,
                explanation,
                who,
                Map.of("embedding", score),
                Cost.NONE,
                new Label.Basis(
                        s.version(),
                        s.density(),
                        s.activations(),
                        s.windows(),
                        s.max(),
                        List.of(),
                        List.of(),
                        List.of(),
                        List.of()),
                s.updatedMs() + 1,
                List.of(),
                List.of());
    }

    @Override
    public void close() {
        server.close();
        broker.close();
    }
}
