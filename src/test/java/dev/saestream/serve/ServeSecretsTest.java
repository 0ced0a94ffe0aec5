package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import dev.saestream.label.BackgroundIndex;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LabelService;
import dev.saestream.label.Labeller;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An LLM provider's key, planted in the environment the labeller reads, is used (the provider sees
 * it) and appears in no response body, header, page, event or log line of the server over the labels
 * it made.
 */
class ServeSecretsTest {
    static final String KEY = "sk-planted-5c0ffee-serve-DO-NOT-LEAK";
    static final String SAE = "secret-model/layer1/topk-32";

    @TempDir
    Path dir;

    @Test
    void aPlantedApiKeyIsInNoResponseHeaderPageEventOrLogLine() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.setContext(root.getLoggerContext());
        logs.start();
        root.addAppender(logs);
        // our code, the LLM client and the web server are searched down to debug lines
        List<Logger> loud = List.of(
                (Logger) LoggerFactory.getLogger("dev.saestream"),
                (Logger) LoggerFactory.getLogger("dev.langchain4j"),
                (Logger) LoggerFactory.getLogger("io.javalin"));
        List<Level> previous = loud.stream().map(Level::of).toList();
        loud.forEach(l -> l.setLevel(ch.qos.logback.classic.Level.DEBUG));
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer llm = openAiCompatible(authorizations);
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()))) {
            Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(kafka)) {
                new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
            }
            Random rnd = new Random(3);
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
                for (int index = 0; index < 3; index++) {
                    FeatureState s = state(index, rnd);
                    p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), Json.write(s)))
                            .get();
                }
            }
            LabelConfig llmConfig = LabelConfig.DEFAULTS.withLlmExplainer(
                    LabelConfig.Provider.OPENAI,
                    "http://127.0.0.1:" + llm.getAddress().getPort() + "/v1",
                    "test-model");
            LabelConfig config = llmConfig
                    .withLlm(llmConfig.llm().withTimeoutSeconds(5).withMaxRetries(0))
                    .withSampling(llmConfig.sampling().withMinWindows(5))
                    .withTopics(llmConfig.topics().withGroupId("secret-label"));
            BackgroundIndex background = new BackgroundIndex();
            Labeller labeller = Labeller.create(config, background, Map.of("OPENAI_API_KEY", KEY));
            LabelService labels = new LabelService(config, kafka, background, labeller);
            Thread labelling = new Thread(labels::run, "secret-labeller");
            labelling.start();
            ServeConfig sc = new ServeConfig("127.0.0.1", 0, 65_536, 4_000, 200, 500, "all-minilm-l6-v2-q", false);
            List<String> seen = new ArrayList<>();
            try (ServeServer server = ServeServer.start(
                    sc,
                    CatalogView.start(kafka),
                    new KnownSaes(List.of()),
                    EncoderSlot.none("none"),
                    LocalStages.NONE,
                    kafka,
                    new StageGroups("e", "c", "secret-label"))) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + server.port();
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                JsonNode saes = null;
                while (System.nanoTime() < deadline) {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/saes"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    saes = r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
                    if (saes != null
                            && saes.get("items").size() == 1
                            && saes.get("items").get(0).get("labelled").asInt()
                                            + saes.get("items")
                                                    .get(0)
                                                    .get("failed")
                                                    .asInt()
                                    == 3) {
                        break;
                    }
                    Thread.sleep(200);
                }
                // the labeller called the provider with the key, and its labels are on the page
                assertThat(authorizations).isNotEmpty().allMatch(a -> a.equals("Bearer " + KEY));
                assertThat(saes.get("items").get(0).get("labelled").asInt()).isEqualTo(3);
                List<String> paths = new ArrayList<>(List.of(
                        "/",
                        "/api/saes",
                        "/api/features",
                        "/api/status",
                        "/metrics",
                        "/api/openapi.json",
                        "/api/search?q=parliament",
                        "/api/features?sae=nope",
                        "/nothing"));
                for (int i = 0; i < 3; i++) {
                    paths.add("/api/features/" + i);
                }
                for (String path : paths) {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    seen.add(r.headers().map().toString());
                    seen.add(r.body());
                }
                HttpResponse<String> post = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/activations"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"" + KEY + "?\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                seen.add(post.body().replace(KEY, ""));
                HttpResponse<java.io.InputStream> events = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/events"))
                                .header("Accept", "text/event-stream")
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (var lines = new java.io.BufferedReader(
                        new java.io.InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
                    for (int i = 0; i < 6; i++) {
                        seen.add(lines.readLine());
                    }
                }
            } finally {
                labels.close();
                labelling.join(60_000);
            }
            assertThat(seen).hasSizeGreaterThan(20).noneMatch(s -> s != null && s.contains(KEY));
            assertThat(seen.stream()
                            .filter(s -> s != null && s.contains("test-model"))
                            .count())
                    .isPositive();
        } finally {
            llm.stop(0);
            root.detachAppender(logs);
            for (int i = 0; i < loud.size(); i++) {
                previous.get(i).restore(loud.get(i));
            }
        }
        assertThat(logs.list).isNotEmpty();
        for (ILoggingEvent e : logs.list) {
            StringBuilder all = new StringBuilder(e.getFormattedMessage());
            for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                all.append(' ').append(t.getMessage());
            }
            assertThat(all.toString()).as(e.getLoggerName()).doesNotContain(KEY);
        }
    }

    /** The root logger's level, to put back. */
    private record Level(ch.qos.logback.classic.Level level) {
        static Level of(Logger l) {
            return new Level(l.getLevel());
        }

        void restore(Logger l) {
            l.setLevel(level);
        }
    }

    /** An OpenAI-compatible chat endpoint that explains every feature the same way and records the Authorization header. */
    static HttpServer openAiCompatible(List<String> authorizations) throws java.io.IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            try (ex) {
                authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                ex.getRequestBody().readAllBytes();
                String content = Json.writeString(Map.of("explanation", "the word \"parliament\""));
                byte[] out = Json.write(Map.of(
                        "id",
                        "c1",
                        "object",
                        "chat.completion",
                        "created",
                        0,
                        "model",
                        "test-model",
                        "choices",
                        List.of(Map.of(
                                "index",
                                0,
                                "finish_reason",
                                "stop",
                                "message",
                                Map.of("role", "assistant", "content", content))),
                        "usage",
                        Map.of("prompt_tokens", 40, "completion_tokens", 8, "total_tokens", 48)));
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, out.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        });
        s.start();
        return s;
    }

    static FeatureState state(int index, Random rnd) {
        List<FeatureWindow> top = new ArrayList<>();
        List<FeatureWindow> reservoir = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String[] tokens = {" the", " European", " Parliament", " votes", " today"};
            float[] acts = {0, 0.1f * rnd.nextFloat(), 1 + 3 * rnd.nextFloat(), 0.2f, 0};
            FeatureWindow w = new FeatureWindow("doc-" + index + "-" + i, 2, 0, tokens, acts);
            (i < 10 ? top : reservoir).add(w);
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        long[] counts = new long[ActivationHistogram.SIZE];
        counts[30] = 30;
        return new FeatureState(
                SAE,
                index,
                1,
                5_000,
                30,
                30,
                30,
                60,
                top.get(0).max(),
                new ActivationHistogram(counts),
                top,
                reservoir,
                System.currentTimeMillis());
    }
}
