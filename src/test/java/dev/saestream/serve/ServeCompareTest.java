package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.Json;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import dev.saestream.label.Cost;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import dev.saestream.sae.TestSaes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Versioned catalogues on the API: two SAEs, B a permuted, positively rescaled copy of A plus a
 * third, independent one at another hook; compare pairs every feature of A with its twin in B at
 * cosine 1 with both labels, a feature page links to its twin, and the SAE list says who labelled
 * each catalogue and when it was built.
 */
class ServeCompareTest {
    static final int D_IN = 16;
    static final int WIDTH = 48;
    static Path dir;
    static EmbeddedBroker broker;
    static ServeServer server;
    static Sae a;
    static Sae b;
    static Sae other;
    static List<Integer> perm;
    static final Map<String, Label> labels = new HashMap<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("serve-compare-test");
        broker = EmbeddedBroker.start(new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        try (Admin admin = Admin.create(kafka())) {
            new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
        }
        a = TestSaes.random(Architecture.TOPK, D_IN, WIDTH, 4, 21);
        perm = new ArrayList<>();
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
        b = Sae.of(a.config(), w).withId(a.id() + "-retrained");
        Sae random = TestSaes.random(Architecture.TOPK, D_IN, WIDTH, 4, 24);
        SaeConfig c = random.config();
        other = Sae.of(new SaeConfig(c.architecture(), c.dIn(), c.dSae(), c.k(), c.rescaleActsByDecoderNorm(), c.applyBDecToInput(),
                c.normalization(), c.dtype(), c.modelName(), "blocks.1.hook_resid_post", c.contextSize(), c.datasetPath(), c.id(),
                c.extraMetadata()), random.weights()).withId("other-hook-sae");
        Random rnd = new Random(25);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (Sae sae : List.of(a, b)) {
                for (int i = 0; i < WIDTH; i++) {
                    FeatureState s = state(sae.id(), i, 1_700_000_000_000L + (sae == a ? 0 : 10_000_000L) + i * 1000L, rnd);
                    p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), Json.write(s)));
                    // A labelled offline throughout, B by two LLMs (a relabel half-way)
                    Label.ExplainerInfo who = sae == a ? new Label.ExplainerInfo("offline", null, "v1")
                            : new Label.ExplainerInfo("llm", "openai", i < 30 ? "model-x" : "model-y");
                    Label l = label(s, "feature " + i + " of " + sae.id(), who);
                    labels.put(s.key(), l);
                    p.send(new ProducerRecord<>(Topics.LABELS, l.key(), Json.write(l)));
                }
            }
        }
        ServeConfig config = new ServeConfig("127.0.0.1", 0, 1_000, 50, 200, 500, "all-minilm-l6-v2-q", false);
        server = ServeServer.start(config, CatalogView.start(kafka()), new KnownSaes(List.of(a, b, other)),
                EncoderSlot.none("this test server has no encoder"), LocalStages.NONE, kafka(),
                new StageGroups("test-encode", "test-catalog", "test-label"));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(get("/api/saes").status() == 200 && labelled(a.id()) == WIDTH && labelled(b.id()) == WIDTH)) {
            assertThat(System.nanoTime()).as("the view read both catalogues within 2 minutes").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void comparePairsEveryFeatureWithItsTwinAtCosineOneWithBothLabels() throws Exception {
        // when all pairs are asked for, a page at a time
        List<JsonNode> pairs = new ArrayList<>();
        JsonNode first = null;
        for (int offset = 0; offset < WIDTH; offset += 20) {
            Response r = get("/api/compare?a=" + enc(a.id()) + "&b=" + enc(b.id()) + "&offset=" + offset + "&limit=20");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = r.json();
            first = first == null ? page : first;
            assertThat(page.get("pairs").get("total").asInt()).isEqualTo(WIDTH);
            page.get("pairs").get("items").forEach(pairs::add);
        }
        // then every feature of A meets its twin, cosine 1, each side with its own label and score
        assertThat(pairs).hasSize(WIDTH);
        assertThat(pairs.stream().map(p -> p.get("a").get("index").asInt()).distinct().count()).isEqualTo(WIDTH);
        for (JsonNode p : pairs) {
            int i = p.get("a").get("index").asInt();
            assertThat(p.get("b").get("index").asInt()).as("twin of %d", i).isEqualTo(perm.get(i));
            assertThat(p.get("cosine").asDouble()).isCloseTo(1.0, within(1e-5));
            assertThat(p.get("a").get("explanation").asText()).isEqualTo(labels.get(a.id() + "/" + i).explanation());
            assertThat(p.get("b").get("explanation").asText()).isEqualTo(labels.get(b.id() + "/" + perm.get(i)).explanation());
            assertThat(p.get("a").get("score").get("value").asDouble())
                    .isEqualTo(labels.get(a.id() + "/" + i).scores().get("embedding").value());
        }
        assertThat(first.get("unmatchedA").get("total").asInt()).isZero();
        assertThat(first.get("unmatchedB").get("items")).isEmpty();
        assertThat(first.get("bestCosines").get("q1").asDouble()).isCloseTo(1.0, within(1e-5));
        assertThat(first.get("bestCosines").get("atLeast09").asDouble()).isEqualTo(1.0);
    }

    @Test
    void compareOfIndependentSaesListsTheUnmatchedAsTheMatchingDoes() {
        // given the matching computed here on its own
        FeatureMatching.Result expected = FeatureMatching.match(a, other, KnownSaes.MATCH_CANDIDATES, 1);
        // when
        JsonNode c = get("/api/compare?a=" + enc(a.id()) + "&b=other-hook-sae&limit=500&order=asc").json();
        // then: the same pairs, farthest first, and the same unmatched with A's best cosines
        JsonNode items = c.get("pairs").get("items");
        assertThat(items).hasSize(expected.pairs().size());
        for (int k = 0; k < items.size(); k++) {
            FeatureMatching.Match m = expected.pairs().get(expected.pairs().size() - 1 - k);
            assertThat(items.get(k).get("a").get("index").asInt()).isEqualTo(m.a());
            assertThat(items.get(k).get("b").get("index").asInt()).isEqualTo(m.b());
            assertThat(items.get(k).get("b").get("explanation").isNull()).as("SAE other-hook-sae has no labels").isTrue();
        }
        JsonNode onlyA = c.get("unmatchedA").get("items");
        assertThat(onlyA).hasSize(expected.unmatchedA().length);
        for (int k = 0; k < onlyA.size(); k++) {
            int i = expected.unmatchedA()[k];
            assertThat(onlyA.get(k).get("feature").get("index").asInt()).isEqualTo(i);
            assertThat(onlyA.get(k).get("bestCosine").asDouble()).isCloseTo(expected.bestA()[i], within(1e-6));
        }
        assertThat(c.get("unmatchedB").get("total").asInt()).isEqualTo(expected.unmatchedB().length);
    }

    @Test
    void compareRefusesWhatItCannotMatch() {
        assertThat(get("/api/compare?a=" + enc(a.id())).json().get("error").asText()).isEqualTo("bad-request");
        assertThat(get("/api/compare?a=" + enc(a.id()) + "&b=" + enc(a.id())).status()).isEqualTo(400);
        Response unknown = get("/api/compare?a=" + enc(a.id()) + "&b=nowhere");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asText()).contains("nowhere").contains("not loaded here");
    }

    @Test
    void aFeaturePageLinksToItsTwinInTheOtherSaeAtTheSameHookOnly() {
        // when
        JsonNode matches = get("/api/features/5?sae=" + enc(a.id())).json().get("matches");
        // then: B's twin with cosine 1 and its explanation; not the SAE at another hook
        assertThat(matches).hasSize(1);
        assertThat(matches.get(0).get("saeId").asText()).isEqualTo(b.id());
        assertThat(matches.get(0).get("index").asInt()).isEqualTo(perm.get(5));
        assertThat(matches.get(0).get("cosine").asDouble()).isCloseTo(1.0, within(1e-5));
        assertThat(matches.get(0).get("explanation").asText()).isEqualTo(labels.get(b.id() + "/" + perm.get(5)).explanation());
    }

    @Test
    void saesShowWhoLabelledEachCatalogueAndWhenItWasBuilt() {
        JsonNode items = get("/api/saes").json().get("items");
        JsonNode sa = find(items, a.id());
        JsonNode sb = find(items, b.id());
        assertThat(sa.get("hook").asText()).isEqualTo(a.config().hookName());
        assertThat(sa.get("model").asText()).isEqualTo(a.config().modelName());
        assertThat(sa.get("firstUpdatedMs").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(sa.get("updatedMs").asLong()).isEqualTo(1_700_000_000_000L + (WIDTH - 1) * 1000L);
        assertThat(sb.get("firstUpdatedMs").asLong()).isEqualTo(1_700_010_000_000L);
        assertThat(Json.MAPPER.convertValue(sa.get("explainers"), List.class)).isEqualTo(List.of(explainer("offline", null, "v1", WIDTH)));
        // most labels first
        assertThat(Json.MAPPER.convertValue(sb.get("explainers"), List.class)).isEqualTo(List.of(
                explainer("llm", "openai", "model-x", 30), explainer("llm", "openai", "model-y", WIDTH - 30)));
    }

    // --- fixtures

    private static Map<String, Object> explainer(String kind, String provider, String model, int labels) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("kind", kind);
        m.put("provider", provider);
        m.put("model", model);
        m.put("labels", labels);
        return m;
    }

    private static JsonNode find(JsonNode items, String saeId) {
        for (JsonNode x : items) {
            if (x.get("saeId").asText().equals(saeId)) {
                return x;
            }
        }
        throw new AssertionError(saeId + " not in " + items);
    }

    private static long labelled(String saeId) {
        JsonNode items = get("/api/saes").json().get("items");
        for (JsonNode x : items) {
            if (x.get("saeId").asText().equals(saeId)) {
                return x.get("labelled").asLong();
            }
        }
        return 0;
    }

    private static FeatureState state(String saeId, int index, long updatedMs, Random rnd) {
        List<FeatureWindow> top = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            top.add(ServeApiTest.window("doc-" + index + "-" + i, rnd));
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        float max = top.get(0).max();
        return new FeatureState(saeId, index, 1, 10_000, 30, 5, 3, 30 * 0.7 * max, max, ActivationHistogram.empty(), top,
                top, updatedMs);
    }

    private static Label label(FeatureState s, String explanation, Label.ExplainerInfo who) {
        double v = 0.5 + s.index() / 200.0;
        Score score = new Score("roc_auc", v, 100, v - 0.1, Math.min(1, v + 0.1), "delong", 0, 0, "all-minilm-l6-v2-q",
                Map.of(), List.of());
        return new Label(s.saeId(), s.index(), Label.Status.OK, null, explanation, who, Map.of("embedding", score), Cost.NONE,
                new Label.Basis(s.version(), s.density(), s.activations(), s.windows(), s.max(), List.of(), List.of(),
                        List.of(), List.of()), s.updatedMs() + 1, List.of(), List.of());
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static Response get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Map<String, Object> kafka() {
        return Map.of("bootstrap.servers", broker.bootstrapServers());
    }
}
