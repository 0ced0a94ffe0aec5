package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as a user meets it, in child JVMs started outside the project directory: on its
 * own against a cluster, on the port of {@code --port} or {@code SAESTREAM_SERVE_PORT}, two of them
 * at once, each following the topics; an address other machines can reach is warned about on the
 * terminal. How {@code run} serves is in {@link RunLifecycleTest}.
 */
class ServeLifecycleTest {
    private static final String SAE = "served-model/layer1/topk-8";
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path work;

    private ChildJvms children;

    @BeforeEach
    void children() {
        children = new ChildJvms(work);
    }

    @AfterEach
    void stopChildren() throws InterruptedException {
        children.close();
    }

    @Test
    void serveRunsApartFromTheStagesAndTwoServersFollowTheTopicsAtOnce() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, work.resolve("kafka").toString(), Map.of()))) {
            Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(kafka)) {
                new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
            }
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
                for (int index = 0; index < 3; index++) {
                    send(p, state(index));
                }
            }
            // when two servers start against the cluster: one on --port, one on SAESTREAM_SERVE_PORT and every
            // interface
            int flagPort = ChildJvms.freePort();
            int envPort = ChildJvms.freePort();
            List<String> common = List.of(
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--sae",
                    work.resolve("no-sae").toString(),
                    "--no-encoder");
            List<String> a = new ArrayList<>(List.of("serve", "--port", String.valueOf(flagPort)));
            a.addAll(common);
            List<String> b = new ArrayList<>(List.of("serve", "--host", "0.0.0.0"));
            b.addAll(common);
            Process one = children.start("one", Map.of(), a);
            Process two = children.start("two", Map.of("SAESTREAM_SERVE_PORT", String.valueOf(envPort)), b);
            String outOne = children.awaitOutput(
                    one, "one", o -> ChildJvms.OPEN.matcher(o).find(), Duration.ofMinutes(3));
            String outTwo = children.awaitOutput(
                    two, "two", o -> ChildJvms.OPEN.matcher(o).find(), Duration.ofMinutes(3));

            // then each is on its port, and only the one other machines can reach warns
            assertThat(outOne)
                    .contains("open http://127.0.0.1:" + flagPort + "/")
                    .doesNotContain(ChildJvms.EXPOSED);
            assertThat(outTwo).contains("open http://0.0.0.0:" + envPort + "/");
            String one1 = "http://127.0.0.1:" + flagPort;
            String two1 = "http://127.0.0.1:" + envPort;
            // each shows the catalogue from the topics, and a feature written later reaches both within seconds
            awaitTotal(one1, 3);
            awaitTotal(two1, 3);
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
                send(p, state(7));
            }
            long written = System.nanoTime();
            awaitTotal(one1, 4);
            awaitTotal(two1, 4);
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(10));
            assertThat(get(one1 + "/api/features?sort=index").body())
                    .isEqualTo(get(two1 + "/api/features?sort=index").body());
            assertThat(children.output("two")).contains("serving on 0.0.0.0:" + envPort + ", " + ChildJvms.EXPOSED);

            // when Ctrl-C comes, each stops with 130
            for (Process p : List.of(one, two)) {
                ChildJvms.interrupt(p);
            }
            for (Process p : List.of(one, two)) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isEqualTo(ExitCode.SIGINT);
            }
            assertThat(children.output("one")).contains("stopped serving");
        }
    }

    private static void awaitTotal(String base, int total) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(base + "/api/features");
            last = r.body();
            if (r.statusCode() == 200 && Json.MAPPER.readTree(last).get("total").asInt() == total) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(base + " did not show " + total + " features: " + last);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void send(KafkaProducer<String, byte[]> p, FeatureState s) throws Exception {
        p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), Json.write(s))).get();
    }

    private static FeatureState state(int index) {
        List<FeatureWindow> top = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            top.add(new FeatureWindow(
                    "doc-" + index + "-" + i, 1, 0, new String[] {" the", " Parliament", " votes"}, new float[] {
                        0, 1 + index + i, 0.5f
                    }));
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        long[] counts = new long[ActivationHistogram.SIZE];
        counts[30] = 6;
        return new FeatureState(
                SAE,
                index,
                1,
                1_000,
                6,
                3,
                3,
                6.0 * (1 + index),
                top.get(0).max(),
                new ActivationHistogram(counts),
                top,
                List.of(),
                System.currentTimeMillis());
    }
}
