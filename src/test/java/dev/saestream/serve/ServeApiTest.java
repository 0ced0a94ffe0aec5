package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureStatistics;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import dev.saestream.label.Cost;
import dev.saestream.label.EmbeddingScorer;
import dev.saestream.label.Label;
import dev.saestream.label.LabelReport;
import dev.saestream.label.LlmPrices;
import dev.saestream.label.Score;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.TestSaes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint against a real broker, with feature states, labels and dead letters produced to
 * the public topics: each answer is checked against what was produced, computed here on its own.
 */
class ServeApiTest {
    static final int WIDTH = 64;
    static final int FEATURES = 40;
    static final List<String> EXPLANATIONS = List.of(
            "votes in the European Parliament",
            "numbers and dates",
            "French articles such as le and la",
            "the word budget",
            "questions to the Commission",
            "German nouns",
            "the end of a sentence",
            "names of countries",
            "legal texts and directives",
            "greetings to the President");

    /** What the main server's LLM costs: $2.50 per million input tokens, $10 per million output tokens. */
    static final LlmPrices PRICES = new LlmPrices(2.5, 10);

    static Path dir;
    static EmbeddedBroker broker;
    static ServeServer server;
    static Sae sae;
    static String saeId;
    static final Map<Integer, FeatureState> states = new TreeMap<>();
    static final Map<Integer, Label> labels = new TreeMap<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("serve-api-test");
        broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        try (Admin admin = Admin.create(kafka())) {
            new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
        }
        sae = TestSaes.random(Architecture.TOPK, 16, WIDTH, 4, 11);
        saeId = sae.id();
        Random rnd = new Random(5);
        List<Integer> indices = IntStream.range(0, WIDTH).boxed().collect(Collectors.toList());
        java.util.Collections.shuffle(indices, rnd);
        for (int index : indices.subList(0, FEATURES)) {
            states.put(index, state(index, 1 + rnd.nextInt(5), rnd));
        }
        int n = 0;
        for (int index : states.keySet()) {
            if (n < 30) {
                labels.put(
                        index, n % 10 == 9 ? failed(index) : ok(index, EXPLANATIONS.get(n % EXPLANATIONS.size()), rnd));
            }
            n++;
        }
        try (KafkaProducer<String, byte[]> p = producer()) {
            states.values().forEach(s -> p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), Json.write(s))));
            labels.values().forEach(l -> p.send(new ProducerRecord<>(Topics.LABELS, l.key(), Json.write(l))));
            for (String[] dl :
                    new String[][] {{"produce", "empty-text"}, {"produce", "empty-text"}, {"encode", "malformed-text"}
                    }) {
                p.send(new ProducerRecord<>(
                        Topics.DLQ, "k", Json.write(DeadLetter.of(dl[0], dl[1], "test", "test:1", "x"))));
            }
        }
        ServeConfig config = new ServeConfig("127.0.0.1", 0, 1_000, 50, 200, 500, "all-minilm-l6-v2-q", false);
        server = ServeServer.start(
                config,
                CatalogView.start(kafka()),
                new KnownSaes(List.of(sae)),
                EncoderSlot.none("this test server has no encoder"),
                LocalStages.NONE,
                kafka(),
                new StageGroups("test-encode", "test-catalog", "test-label"),
                PRICES);
        awaitView(() -> get("/api/status").json().get("labels").get("labelled").asLong()
                                + get("/api/status")
                                        .json()
                                        .get("labels")
                                        .get("failed")
                                        .asLong()
                        == labels.size()
                && get("/api/status").json().get("features").get("alive").asLong() == FEATURES
                && get("/api/status")
                                .json()
                                .get("documents")
                                .get("deadLettered")
                                .asLong()
                        == 3
                // every topic read up to where it ended at start, or the API still answers 503
                && !get("/api/status").json().get("restoring").asBoolean());
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
    void saesListsTheSaeWithItsCountsWidthAndDeadFeatures() {
        JsonNode item = get("/api/saes").json().get("items").get(0);
        assertThat(get("/api/saes").json().get("items")).hasSize(1);
        assertThat(item.get("saeId").asText()).isEqualTo(saeId);
        assertThat(item.get("model").asText()).isEqualTo("all-minilm-l6-v2");
        assertThat(item.get("width").asInt()).isEqualTo(WIDTH);
        assertThat(item.get("features").asInt()).isEqualTo(FEATURES);
        assertThat(item.get("dead").asInt()).isEqualTo(WIDTH - FEATURES);
        assertThat(item.get("labelled").asLong())
                .isEqualTo(labels.values().stream()
                        .filter(l -> l.status() == Label.Status.OK)
                        .count());
        assertThat(item.get("failed").asLong())
                .isEqualTo(labels.values().stream()
                        .filter(l -> l.status() == Label.Status.FAILED)
                        .count());
        assertThat(item.get("tokens").asLong())
                .isEqualTo(states.values().stream()
                        .mapToLong(FeatureState::tokensSeen)
                        .max()
                        .orElseThrow());
        assertThat(item.get("updatedMs").asLong())
                .isEqualTo(states.values().stream()
                        .mapToLong(FeatureState::updatedMs)
                        .max()
                        .orElseThrow());
        // no encode group has committed anything on this broker: the documents are not known
        assertThat(item.get("documents").isNull()).isTrue();
    }

    @Test
    void featuresAreSortedPagedAndFilteredAsTheProducedStatesSay() {
        List<Integer> byDensity = states.values().stream()
                .sorted(Comparator.comparingDouble((FeatureState s) -> -s.density())
                        .thenComparingInt(FeatureState::index))
                .map(FeatureState::index)
                .toList();
        JsonNode page = get("/api/features").json();
        assertThat(page.get("total").asInt()).isEqualTo(FEATURES);
        assertThat(page.get("limit").asInt()).isEqualTo(50);
        assertThat(indices(page)).isEqualTo(byDensity);

        JsonNode paged = get("/api/features?sae=" + saeId.replace("/", "%2F") + "&offset=5&limit=7")
                .json();
        assertThat(indices(paged)).isEqualTo(byDensity.subList(5, 12));
        assertThat(get("/api/features?sort=index")
                        .json()
                        .get("items")
                        .get(0)
                        .get("index")
                        .asInt())
                .isEqualTo(states.keySet().iterator().next());
        List<Integer> byMaxAsc = states.values().stream()
                .sorted(Comparator.comparingDouble((FeatureState s) -> s.max()).thenComparingInt(FeatureState::index))
                .map(FeatureState::index)
                .toList();
        assertThat(indices(get("/api/features?sort=max&order=asc").json())).isEqualTo(byMaxAsc);
        List<Integer> byUpdated = states.values().stream()
                .sorted(Comparator.comparingLong((FeatureState s) -> -s.updatedMs())
                        .thenComparingInt(FeatureState::index))
                .map(FeatureState::index)
                .toList();
        assertThat(indices(get("/api/features?sort=updated").json())).isEqualTo(byUpdated);

        // by score: scored features by value, then the rest by index, whatever the order
        List<Integer> scored = labels.values().stream()
                .filter(l -> l.scores().containsKey("embedding"))
                .sorted(Comparator.comparingDouble(
                                (Label l) -> -l.scores().get("embedding").value())
                        .thenComparingInt(Label::index))
                .map(Label::index)
                .toList();
        List<Integer> byScore = new ArrayList<>(scored);
        states.keySet().stream().filter(i -> !scored.contains(i)).forEach(byScore::add);
        assertThat(indices(get("/api/features?sort=score").json())).isEqualTo(byScore);
        // pages of a few rows, each picked from all the features, join into the whole order
        for (String sortBy : List.of("score&order=asc", "score", "density", "updated&order=asc")) {
            List<Integer> whole = indices(
                    get("/api/features?limit=" + FEATURES + "&sort=" + sortBy).json());
            List<Integer> joined = new ArrayList<>();
            for (int offset = 0; offset < FEATURES + 4; offset += 3) {
                joined.addAll(indices(get("/api/features?limit=3&offset=" + offset + "&sort=" + sortBy)
                        .json()));
            }
            assertThat(joined).as(sortBy).isEqualTo(whole).hasSize(FEATURES);
        }

        List<Integer> matching = labels.values().stream()
                .filter(l -> l.explanation() != null
                        && l.explanation().toLowerCase(Locale.ROOT).contains("european")
                        && l.explanation().toLowerCase(Locale.ROOT).contains("parliament"))
                .map(Label::index)
                .sorted()
                .toList();
        JsonNode found = get("/api/features?sort=index&q=Parliament%20EUROPEAN").json();
        assertThat(matching).isNotEmpty();
        assertThat(indices(found)).isEqualTo(matching);
        assertThat(found.get("total").asInt()).isEqualTo(matching.size());
    }

    @Test
    void aFeatureSummaryCarriesItsStatisticsLabelAndMainScore() {
        // a label with a null baseline, so that the score's null reaches the row too
        int index = labels.keySet().stream()
                .filter(i -> labels.get(i).scores().get("embedding") != null
                        && labels.get(i).scores().get("embedding").baseline() != null)
                .findFirst()
                .orElseThrow();
        FeatureState s = states.get(index);
        Label l = labels.get(index);
        JsonNode row = null;
        for (JsonNode r : get("/api/features?limit=500").json().get("items")) {
            if (r.get("index").asInt() == index) {
                row = r;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("version").asLong()).isEqualTo(s.version());
        assertThat(row.get("activations").asLong()).isEqualTo(s.activations());
        assertThat(row.get("documents").asLong()).isEqualTo(s.documents());
        assertThat(row.get("density").asDouble()).isEqualTo(s.density());
        assertThat(row.get("max").asDouble()).isEqualTo(s.max());
        assertThat(row.get("mean").asDouble()).isEqualTo(s.mean());
        assertThat(longs(row.get("histogram"))).isEqualTo(s.histogram().counts());
        assertThat(row.get("explanation").asText()).isEqualTo(l.explanation());
        assertThat(row.get("labelStatus").asText()).isEqualTo("ok");
        Score e = l.scores().get("embedding");
        JsonNode score = row.get("score");
        assertThat(score.get("scorer").asText()).isEqualTo("embedding");
        assertThat(score.get("value").asDouble()).isEqualTo(e.value());
        assertThat(score.get("ciLow").asDouble()).isEqualTo(e.ciLow());
        assertThat(score.get("ciHigh").asDouble()).isEqualTo(e.ciHigh());
        assertThat(score.get("n").asInt()).isEqualTo(e.n());
        if (e.baseline() == null) {
            assertThat(score.get("baseline").isNull()).isTrue();
            assertThat(score.get("informative").isNull()).isTrue();
        } else {
            assertThat(score.get("baseline").get("value").asDouble())
                    .isEqualTo(e.baseline().value());
            assertThat(score.get("baseline").get("ciHigh").asDouble())
                    .isEqualTo(e.baseline().ciHigh());
            assertThat(score.get("informative").asBoolean()).isEqualTo(e.informative());
        }
        int unlabelled = states.keySet().stream()
                .filter(i -> !labels.containsKey(i))
                .findFirst()
                .orElseThrow();
        JsonNode bare = get("/api/features/" + unlabelled).json();
        assertThat(bare.get("label").isNull()).isTrue();
    }

    @Test
    void theFeaturePageHasTheWindowsQuantilesLabelHistoryAndNearestFeatures() {
        int index = labels.keySet().iterator().next();
        FeatureState s = states.get(index);
        Label l = labels.get(index);
        JsonNode f = get("/api/features/" + index).json();
        assertThat(f.get("version").asLong()).isEqualTo(s.version());
        assertThat(f.get("tokensSeen").asLong()).isEqualTo(s.tokensSeen());
        assertThat(f.get("windows").asLong()).isEqualTo(s.windows());
        assertThat(f.get("top")).hasSize(s.top().size());
        for (int i = 0; i < s.top().size(); i++) {
            assertWindow(f.get("top").get(i), s.top().get(i));
        }
        JsonNode h = f.get("histogram");
        for (int i = 0; i < ActivationHistogram.SIZE; i++) {
            assertThat(h.get("counts").get(i).asLong()).isEqualTo(s.histogram().counts()[i]);
            assertThat(h.get("lower").get(i).asDouble()).isEqualTo(i == 0 ? 0 : 1e-3 * Math.pow(10, (i - 1) / 8.0));
            assertThat(h.get("upper").get(i).asDouble()).isEqualTo(1e-3 * Math.pow(10, i / 8.0));
        }
        // quantile groups: every reservoir window once, five groups of sizes within one, weakest first, each within its
        // bounds
        Map<String, FeatureWindow> reservoir =
                s.reservoir().stream().collect(Collectors.toMap(FeatureWindow::id, w -> w));
        Set<String> seen = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        double previousHigh = -1;
        JsonNode groups = f.get("quantiles");
        assertThat(groups).hasSize(5);
        for (JsonNode g : groups) {
            double low = g.get("low").asDouble();
            double high = g.get("high").asDouble();
            assertThat(low).isGreaterThanOrEqualTo(previousHigh);
            previousHigh = high;
            sizes.add(g.get("windows").size());
            for (JsonNode w : g.get("windows")) {
                FeatureWindow expected = reservoir.get(
                        w.get("doc").asText() + "#" + w.get("peak").asInt());
                assertWindow(w, expected);
                assertThat(w.get("max").asDouble()).isBetween(low, high);
                assertThat(seen.add(expected.id())).isTrue();
            }
        }
        assertThat(seen).isEqualTo(reservoir.keySet());
        assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElseThrow()
                        - sizes.stream().mapToInt(Integer::intValue).min().orElseThrow())
                .isLessThanOrEqualTo(1);

        JsonNode label = f.get("label");
        assertThat(label.get("status").asText()).isEqualTo("ok");
        assertThat(label.get("explanation").asText()).isEqualTo(l.explanation());
        assertThat(label.get("explainer").get("kind").asText()).isEqualTo("offline");
        assertThat(label.get("scores").get(0).get("scorer").asText()).isEqualTo("embedding");
        assertThat(label.get("scores").get(0).get("parseFailureRate").asDouble())
                .isEqualTo(l.scores().get("embedding").parseFailureRate());
        assertThat(label.get("cost").get("inputTokens").asLong())
                .isEqualTo(l.cost().inputTokens());
        assertThat(label.get("basedOnVersion").asLong()).isEqualTo(l.basis().version());
        // the label saw the first half of the current top windows
        assertThat(label.get("basisShare").asDouble()).isEqualTo(0.5);
        assertThat(label.get("history")).hasSize(1);
        assertThat(label.get("history").get(0).get("explanation").asText()).isEqualTo("an older explanation");
        assertThat(label.get("history").get(0).get("scores").get("embedding").asDouble())
                .isEqualTo(0.6);

        // nearest by decoder cosine, brute force over the decoder rows
        float[] dec = new float[WIDTH * 16];
        sae.decoder().get(dec);
        List<double[]> cos = new ArrayList<>();
        for (int j = 0; j < WIDTH; j++) {
            if (j != index) {
                double dot = 0;
                double a = 0;
                double b = 0;
                for (int k = 0; k < 16; k++) {
                    dot += (double) dec[index * 16 + k] * dec[j * 16 + k];
                    a += (double) dec[index * 16 + k] * dec[index * 16 + k];
                    b += (double) dec[j * 16 + k] * dec[j * 16 + k];
                }
                cos.add(new double[] {j, dot / Math.sqrt(a * b)});
            }
        }
        cos.sort(Comparator.comparingDouble((double[] c) -> -c[1]).thenComparingDouble(c -> c[0]));
        JsonNode nearest = f.get("nearest");
        assertThat(nearest).hasSize(10);
        for (int i = 0; i < 10; i++) {
            int j = (int) cos.get(i)[0];
            assertThat(nearest.get(i).get("index").asInt()).isEqualTo(j);
            assertThat(nearest.get(i).get("cosine").asDouble())
                    .isCloseTo(cos.get(i)[1], org.assertj.core.data.Offset.offset(1e-9));
            Label nl = labels.get(j);
            assertThat(nearest.get(i).get("explanation").isNull()).isEqualTo(nl == null || nl.explanation() == null);
        }
    }

    @Test
    void statusCountsDeadLettersByReasonLabelsAndTheirCost() throws Exception {
        JsonNode s = get("/api/status").json();
        assertThat(s.get("restoring").asBoolean()).isFalse();
        assertThat(s.get("saes").asInt()).isEqualTo(1);
        assertThat(s.get("documents").get("deadLettered").asLong()).isEqualTo(3);
        assertThat(Json.MAPPER.convertValue(s.get("documents").get("deadLetterReasons"), Map.class))
                .isEqualTo(Map.of("empty-text", 2, "malformed-text", 1));
        assertThat(s.get("documents").get("produced").asLong()).isZero();
        assertThat(s.get("features").get("alive").asLong()).isEqualTo(FEATURES);
        // apart from run, the rate comes from the catalogue's own token count, which stands still here
        awaitView(() -> get("/api/status").json().get("tokensPerSecond").isNumber());
        assertThat(get("/api/status").json().get("tokensPerSecond").asDouble()).isZero();
        Map<String, Integer> failures = new HashMap<>();
        labels.values().stream()
                .filter(l -> l.failure() != null)
                .forEach(l -> failures.merge(l.failure(), 1, Integer::sum));
        assertThat(Json.MAPPER.convertValue(s.get("labels").get("failureReasons"), Map.class))
                .isEqualTo(failures);
        assertThat(s.get("labels").get("pending").isNull()).isTrue();
        assertThat(s.get("llm").get("calls").asLong())
                .isEqualTo(labels.values().stream()
                        .mapToLong(l -> l.cost().calls())
                        .sum());
        long in =
                labels.values().stream().mapToLong(l -> l.cost().inputTokens()).sum();
        long out =
                labels.values().stream().mapToLong(l -> l.cost().outputTokens()).sum();
        assertThat(in).isPositive();
        assertThat(out).isPositive();
        assertThat(s.get("llm").get("inputTokens").asLong()).isEqualTo(in);
        assertThat(s.get("llm").get("outputTokens").asLong()).isEqualTo(out);
        // the tokens at the server's prices
        assertThat(s.get("llm").get("dollars").asDouble())
                .isCloseTo((in * 2.5 + out * 10.0) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.get("tokens").asLong())
                .isEqualTo(states.values().stream()
                        .mapToLong(FeatureState::tokensSeen)
                        .max()
                        .orElseThrow());
        // no stage group has committed: the lag is unknown, not zero
        assertThat(s.get("lag").get("encode").isNull()).isTrue();
    }

    @Test
    void searchRanksByTheMeanOfLexicalAndSemanticScores() {
        String q = "parliament votes";
        Response response = get("/api/search?q=parliament%20votes&limit=200");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode r = response.json();
        EmbeddingModel m = EmbeddingScorer.model("all-minilm-l6-v2-q");
        float[] qv = m.embed(q).content().vector();
        List<Label> ok =
                labels.values().stream().filter(l -> l.explanation() != null).toList();
        Map<Integer, double[]> expected = new LinkedHashMap<>();
        for (Label l : ok) {
            String e = l.explanation().toLowerCase(Locale.ROOT);
            double lex = (e.contains("parliament") ? 0.5 : 0) + (e.contains("votes") ? 0.5 : 0);
            float[] ev = m.embed(l.explanation()).content().vector();
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int i = 0; i < qv.length; i++) {
                dot += (double) qv[i] * ev[i];
                a += (double) qv[i] * qv[i];
                b += (double) ev[i] * ev[i];
            }
            double sem = dot / Math.sqrt(a * b);
            expected.put(l.index(), new double[] {lex, sem, (lex + sem) / 2});
        }
        JsonNode items = r.get("items");
        assertThat(items).hasSize(ok.size());
        double previous = Double.MAX_VALUE;
        for (JsonNode it : items) {
            double[] e = expected.get(it.get("index").asInt());
            assertThat(it.get("lexical").asDouble()).isEqualTo(e[0]);
            assertThat(it.get("semantic").asDouble()).isCloseTo(e[1], org.assertj.core.data.Offset.offset(1e-5));
            assertThat(it.get("rank").asDouble()).isCloseTo(e[2], org.assertj.core.data.Offset.offset(1e-5));
            assertThat(it.get("rank").asDouble()).isLessThanOrEqualTo(previous);
            previous = it.get("rank").asDouble();
        }
        assertThat(items.get(0).get("explanation").asText()).isEqualTo("votes in the European Parliament");
        assertThat(get("/api/search?q=budget&limit=3").json().get("items")).hasSize(3);
    }

    @Test
    void everyErrorHasItsStatusAndAJsonBody() throws Exception {
        assertError(get("/api/features?sort=colour"), 400, "bad-request");
        assertError(get("/api/features?order=up"), 400, "bad-request");
        assertError(get("/api/features?limit=501"), 400, "bad-request");
        assertError(get("/api/features?offset=-1"), 400, "bad-request");
        assertError(get("/api/features?limit=ten"), 400, "bad-request");
        assertError(get("/api/features/seventeen"), 400, "bad-request");
        assertError(get("/api/search"), 400, "bad-request");
        assertError(post("/api/activations", "{\"text\": "), 400, "bad-request");
        assertError(post("/api/activations", "[1, 2]"), 400, "bad-request");
        assertError(post("/api/activations", "{\"text\": \"" + "a".repeat(51) + "\"}"), 400, "bad-request");
        assertError(get("/api/features?sae=no%2Fsuch%2Fsae"), 404, "not-found");
        int absent = IntStream.range(0, WIDTH)
                .filter(i -> !states.containsKey(i))
                .findFirst()
                .orElseThrow();
        assertError(get("/api/features/" + absent), 404, "not-found");
        assertError(get("/api/nothing-here"), 404, "not-found");
        assertError(send(HttpRequest.newBuilder(uri("/api/saes")).DELETE()), 405, "method-not-allowed");
        assertError(post("/api/activations", "{\"text\": \"" + "a".repeat(2_000) + "\"}"), 413, "too-large");
        assertError(post("/api/activations", "{\"text\": \"short\"}"), 503, "no-encoder");
    }

    @Test
    void whileTheViewRestoresTheApiSays503AndTheStatusSaysRestoring() {
        // a Kafka that never answers: the view never catches up
        ServeConfig config = new ServeConfig("127.0.0.1", 0, 1_000, 50, 200, 500, "all-minilm-l6-v2-q", false);
        Map<String, Object> nowhere = Map.of("bootstrap.servers", "127.0.0.1:1");
        try (ServeServer restoring = ServeServer.start(
                config,
                CatalogView.start(nowhere),
                new KnownSaes(List.of()),
                EncoderSlot.none("none"),
                LocalStages.NONE,
                nowhere,
                new StageGroups("a", "b", "c"))) {
            String base = "http://127.0.0.1:" + restoring.port();
            assertError(get(base, "/api/features"), 503, "restoring");
            assertError(get(base, "/api/saes"), 503, "restoring");
            Response status = get(base, "/api/status");
            assertThat(status.status()).isEqualTo(200);
            assertThat(status.json().get("restoring").asBoolean()).isTrue();
            // no prices given: no dollars
            assertThat(status.json().get("llm").get("dollars").isNull()).isTrue();
        }
    }

    @Test
    void aNewFeatureVersionShowsInTheApiAndTheEventsWithinSeconds() throws Exception {
        int index = states.keySet().stream().skip(3).findFirst().orElseThrow();
        FeatureState old = states.get(index);
        FeatureState next = new FeatureState(
                old.saeId(),
                index,
                old.version() + 7,
                old.tokensSeen() + 100,
                old.activations() + 3,
                old.documents() + 1,
                old.windows() + 1,
                old.sum() + 9,
                old.max(),
                old.histogram(),
                old.top(),
                old.reservoir(),
                old.updatedMs() + 1_000);
        HttpRequest events = HttpRequest.newBuilder(uri("/api/events"))
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<java.io.InputStream> stream = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("event: status");
            try (KafkaProducer<String, byte[]> p = producer()) {
                p.send(new ProducerRecord<>(Topics.FEATURES, next.key(), Json.write(next)))
                        .get();
            }
            // the next "features" event that names this feature
            boolean announced = false;
            String event = null;
            for (String line; !announced && (line = lines.readLine()) != null; ) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "features".equals(event)) {
                    JsonNode d = Json.MAPPER.readTree(line.substring(6));
                    assertThat(d.get("saeId").asText()).isEqualTo(saeId);
                    for (JsonNode i : d.get("changed")) {
                        announced |= i.asInt() == index;
                    }
                }
            }
            assertThat(announced).isTrue();
        }
        JsonNode f = get("/api/features/" + index).json();
        assertThat(f.get("version").asLong()).isEqualTo(next.version());
        assertThat(f.get("activations").asLong()).isEqualTo(next.activations());
        assertThat(f.get("mean").asDouble()).isEqualTo(next.mean());
        states.put(index, next);
    }

    @Test
    void figuresBetweenFullStatesUpdateAFeatureAndKeepItsWindows() throws Exception {
        int index = states.keySet().stream().skip(5).findFirst().orElseThrow();
        FeatureState old = states.get(index);
        FeatureStatistics stale = new FeatureStatistics(
                old.saeId(), index, old.version() - 1, 1, 1, 1, 1, 1, 1f, old.histogram(), old.updatedMs() - 1, null);
        FeatureStatistics newer = new FeatureStatistics(
                old.saeId(),
                index,
                old.version() + 11,
                old.tokensSeen() + 500,
                old.activations() + 40,
                old.documents() + 4,
                old.windows() + 6,
                old.sum() + 21,
                old.max() + 1,
                old.histogram(),
                old.updatedMs() + 2_000,
                null);
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.FEATURE_STATS, stale.key(), Json.write(stale)))
                    .get();
            p.send(new ProducerRecord<>(Topics.FEATURE_STATS, newer.key(), Json.write(newer)))
                    .get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode f = get("/api/features/" + index).json();
        while (f.get("version").asLong() != newer.version() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            f = get("/api/features/" + index).json();
        }
        assertThat(f.get("version").asLong()).isEqualTo(newer.version());
        assertThat(f.get("activations").asLong()).isEqualTo(newer.activations());
        assertThat(f.get("max").asDouble()).isEqualTo((double) newer.max());
        assertThat(f.get("mean").asDouble()).isEqualTo(newer.mean());
        // the windows are still those of the latest full state
        for (int i = 0; i < old.top().size(); i++) {
            assertWindow(f.get("top").get(i), old.top().get(i));
        }
        FeatureState merged = new FeatureState(
                old.saeId(),
                index,
                newer.version(),
                newer.tokensSeen(),
                newer.activations(),
                newer.documents(),
                newer.windows(),
                newer.sum(),
                newer.max(),
                newer.histogram(),
                old.top(),
                old.reservoir(),
                newer.updatedMs(),
                old.facet());
        states.put(index, merged);
    }

    @Test
    void theLabelReportIsLabelReportOfTheProducedLabelsAndStates() throws Exception {
        // another test writes a new feature version, which the cached report may lag by its interval: wait for it
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode got;
        JsonNode expected;
        LabelReport report;
        do {
            Map<String, FeatureState> byKey = new HashMap<>();
            states.values().forEach(st -> byKey.put(st.key(), st));
            report = LabelReport.of(labels.values(), byKey);
            expected = Api.MAPPER.readTree(Api.write(report));
            got = get("/api/labels/report?sae=" + saeId.replace("/", "%2F")).json();
            if (got.equals(expected)) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertThat(got).isEqualTo(expected);
        // sae may be left out with one SAE in the catalogue
        assertThat(get("/api/labels/report").json()).isEqualTo(expected);
        // the figures themselves, as the JSON carries them
        LabelReport.ScorerReport embedding = report.scorers().get("embedding");
        JsonNode e = got.get("scorers").get("embedding");
        assertThat(got.get("labels").asInt()).isEqualTo(labels.size());
        assertThat(got.get("ok").asInt()).isEqualTo(report.ok()).isEqualTo(27);
        assertThat(got.get("failed").asInt()).isEqualTo(3);
        assertThat(e.get("metric").asText()).isEqualTo("roc_auc");
        assertThat(e.get("score").get("mean").asDouble())
                .isEqualTo(embedding.score().mean());
        assertThat(e.get("score").get("ciLow").asDouble())
                .isEqualTo(embedding.score().ciLow());
        assertThat(e.get("score").get("ciHigh").asDouble())
                .isEqualTo(embedding.score().ciHigh());
        assertThat(e.get("baseline").get("mean").asDouble())
                .isEqualTo(embedding.baseline().mean())
                .isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(e.get("withBaseline").asInt())
                .isEqualTo(embedding.withBaseline())
                .isBetween(1, 26);
        assertThat(e.get("informative").asInt()).isEqualTo(embedding.informative());
        assertThat(e.get("informativeShare").asDouble())
                .isEqualTo(embedding.informativeShare())
                .isBetween(0.0, 1.0);
        assertThat(e.get("byDensity")).hasSize(LabelReport.DECILES);
        assertThat(e.get("byDensity").get(0).get("densityLow").asDouble())
                .isEqualTo(embedding.byDensity().get(0).densityLow());
        assertThat(got.get("basis").get("compared").asInt()).isEqualTo(27);
        assertThat(got.get("basis").get("meanShare").asDouble())
                .isEqualTo(report.basis().meanShare());

        assertError(get("/api/labels/report?sae=no%2Fsuch%2Fsae"), 404, "not-found");
    }

    @Test
    void theLabelReportIsCachedUntilItsSaeChangesAndThenAtMostEveryInterval() {
        long[] now = {1_000_000};
        LabelReports reports = new LabelReports(() -> now[0]);
        SaeFeatures s = server.view().sae(saeId);
        LabelReport first = reports.of(s);
        assertThat(reports.of(s)).isSameAs(first);
        // a change within the interval: still the cached one; after it, built again
        FeatureEntry any = s.features().iterator().next();
        s.putFeature(any);
        now[0] += LabelReports.MIN_INTERVAL_MS - 1;
        assertThat(reports.of(s)).isSameAs(first);
        now[0] += 1;
        LabelReport second = reports.of(s);
        assertThat(second).isNotSameAs(first).isEqualTo(LabelReports.build(s));
        // nothing changed since: cached however long ago it was built
        now[0] += 60_000;
        assertThat(reports.of(s)).isSameAs(second);
    }

    @Test
    void openApiDocumentsEveryRouteAndMetricsExposeTheCatalogue() throws Exception {
        JsonNode doc = get("/api/openapi.json").json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new HashSet<>();
        doc.get("paths")
                .fields()
                .forEachRemaining(e -> e.getValue()
                        .fieldNames()
                        .forEachRemaining(
                                method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + e.getKey())));
        assertThat(documented).isEqualTo(new HashSet<>(ServeServer.ROUTES));
        // every route answers (none 404s): the routes list is the server's
        for (String route : ServeServer.ROUTES) {
            String path = route.substring(route.indexOf(' ') + 1)
                    .replace(
                            "{index}", String.valueOf(states.keySet().iterator().next()));
            if (route.startsWith("GET ") && !path.equals("/api/events")) {
                // compare needs two SAEs' weights, and this server has one: it answers, with what is missing
                assertThat(get(path.equals("/api/search") ? path + "?q=x" : path)
                                .status())
                        .as(route)
                        .isEqualTo(path.equals("/api/compare") ? 400 : 200);
            }
        }
        Response metrics = get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("saestream_features_alive " + FEATURES + ".0")
                .contains("saestream_dead_letters_total{reason=\"empty-text\"} 2.0")
                .contains("jvm_memory_used_bytes");
        // Micrometer's Kafka client binder on the server's own consumers: records read per topic (the binder looks
        // for the per-topic metrics every few seconds), the 30 labels and the 3 dead letters
        awaitView(() -> {
            String body = get("/metrics").body();
            return consumed(body, Topics.LABELS) == labels.size() && consumed(body, Topics.DLQ) == 3;
        });
        // and on the admin client that reads the stages' offsets
        assertThat(get("/metrics").body())
                .containsPattern(
                        "(?m)^kafka_admin_client_request_total\\{client_id=\"[^\"]+\",kafka_version=\"[^\"]+\"} [1-9]");
        Response index = get("/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    }

    /** A consumer's records read from {@code topic}, as /metrics gives it; -1 when absent. */
    static double consumed(String metrics, String topic) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?m)^kafka_consumer_fetch_manager_records_consumed_total\\{client_id=\"[^\"]+\",kafka_version=\"[^\"]+\",topic=\""
                                + java.util.regex.Pattern.quote(topic) + "\"} (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    // --- fixtures

    static FeatureState state(int index, int version, Random rnd) {
        List<FeatureWindow> top = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            top.add(window("doc-" + index + "-" + i, rnd));
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        List<FeatureWindow> reservoir = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            reservoir.add(window("res-" + index + "-" + i, rnd));
        }
        long[] counts = new long[ActivationHistogram.SIZE];
        for (int i = 0; i < 20; i++) {
            counts[10 + rnd.nextInt(30)]++;
        }
        long tokens = 10_000 + rnd.nextInt(1000);
        long acts = 20 + rnd.nextInt(500);
        float max = top.get(0).max();
        return new FeatureState(
                saeId,
                index,
                version,
                tokens,
                acts,
                5 + rnd.nextInt(20),
                18,
                acts * 0.7 * max,
                max,
                new ActivationHistogram(counts),
                top,
                reservoir,
                1_700_000_000_000L + rnd.nextInt(1_000_000));
    }

    static FeatureWindow window(String doc, Random rnd) {
        String[] tokens = {" <b>", " a", "<script>x</script>", " c", " d"};
        float[] acts = new float[tokens.length];
        for (int i = 0; i < acts.length; i++) {
            acts[i] = rnd.nextFloat();
        }
        acts[2] = 1 + 4 * rnd.nextFloat();
        return new FeatureWindow(doc, 12, 10, tokens, acts);
    }

    static Label ok(int index, String explanation, Random rnd) {
        FeatureState s = states.get(index);
        double v = 0.5 + 0.5 * rnd.nextDouble();
        Score score = new Score(
                "roc_auc",
                v,
                100,
                v - 0.1,
                Math.min(1, v + 0.1),
                "delong",
                1,
                0.01,
                "all-minilm-l6-v2-q",
                Map.of(),
                List.of());
        if (index % 3 != 0) {
            // a null baseline on two labels in three: some clear it (score interval above 0.65), some do not
            score = score.withBaseline(new Score.Baseline(0.6, 0.55, 0.65, 100, "a null explanation"));
        }
        List<String> topIds = s.top().subList(0, s.top().size() / 2).stream()
                .map(FeatureWindow::id)
                .toList();
        Label.HistoryEntry older = new Label.HistoryEntry(
                1L,
                1,
                Label.Status.OK,
                null,
                "an older explanation",
                new Label.ExplainerInfo("offline", null, "v0"),
                Map.of("embedding", 0.6),
                0,
                0);
        return new Label(
                s.saeId(),
                index,
                Label.Status.OK,
                null,
                explanation,
                new Label.ExplainerInfo("offline", null, "v1"),
                Map.of("embedding", score),
                new Cost(2, 0, 100, 20, Map.of(), List.of()),
                new Label.Basis(
                        s.version(),
                        s.density(),
                        s.activations(),
                        s.windows(),
                        s.max(),
                        topIds,
                        List.of(),
                        List.of(),
                        List.of()),
                1_700_000_500_000L,
                List.of(),
                List.of(older));
    }

    static Label failed(int index) {
        FeatureState s = states.get(index);
        return new Label(
                s.saeId(),
                index,
                Label.Status.FAILED,
                "the explainer gave no answer",
                null,
                new Label.ExplainerInfo("llm", "openai", "m"),
                Map.of(),
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
                1_700_000_600_000L,
                List.of(),
                List.of());
    }

    static void assertWindow(JsonNode w, FeatureWindow expected) {
        assertThat(w.get("doc").asText()).isEqualTo(expected.doc());
        assertThat(w.get("peak").asInt()).isEqualTo(expected.peak());
        assertThat(w.get("first").asInt()).isEqualTo(expected.first());
        assertThat(Json.MAPPER.convertValue(w.get("tokens"), String[].class)).isEqualTo(expected.tokens());
        assertThat(Json.MAPPER.convertValue(w.get("acts"), float[].class)).isEqualTo(expected.acts());
        assertThat((float) w.get("max").asDouble()).isEqualTo(expected.max());
    }

    // --- HTTP

    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            assertThat(headers.firstValue("content-type").orElse("")).startsWith("application/json");
            try {
                return Json.MAPPER.readTree(body);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    static Map<String, Object> kafka() {
        return Map.of("bootstrap.servers", broker.bootstrapServers());
    }

    static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    static Response get(String base, String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    static Response post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    /** Sends the request; every answer carries the page's security headers. */
    static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r =
                    http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("content-security-policy").orElse(""))
                    .isEqualTo(ServeServer.CSP);
            assertThat(r.headers().firstValue("x-content-type-options").orElse(""))
                    .isEqualTo("nosniff");
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertError(Response r, int status, String error) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("detail").asText()).isNotBlank();
    }

    static List<Integer> indices(JsonNode page) {
        List<Integer> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.get("index").asInt()));
        return out;
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** Waits (up to two minutes) until the view shows what was produced. */
    static void awaitView(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (get("/api/status").status() == 200 && done.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the view did not show the produced records: "
                + get("/api/status").body());
    }
}
