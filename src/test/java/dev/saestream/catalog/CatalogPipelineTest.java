package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog on a real broker, with partitions: several instances share the work and answer
 * queries for each other, and an instance killed mid-stream (SIGKILL, no clean close) is
 * replaced without losing or double-counting anything. Every check is against the batch reference.
 */
class CatalogPipelineTest {
    static EmbeddedBroker broker;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        try (Admin admin = admin()) {
            new TopicAdmin(admin).create(TopicSpecs.load(Path.of("topics")));
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    /** A short session timeout, so that a killed member is noticed in seconds rather than Kafka's default 45. */
    static Map<String, Object> client() {
        return Map.of(
                "bootstrap.servers",
                broker.bootstrapServers(),
                "session.timeout.ms",
                "6000",
                "heartbeat.interval.ms",
                "1500");
    }

    static CatalogConfig config(String appId) {
        CatalogConfig d = CatalogConfig.defaults();
        return d.withApplicationId(appId)
                .withSamples(5, 3, 4, 8)
                .withBackground(20, 16)
                .withShards(0)
                .withEmission(1_000, 1_000, 1.0, 0.2)
                .withIntervals(500, 500)
                .withState(true, d.stateDir());
    }

    static void produce(List<DocumentCodes> docs) throws Exception {
        try (var p = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (DocumentCodes d : docs) {
                p.send(new ProducerRecord<>(Topics.CODES, d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF)));
            }
            p.flush();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void twoInstancesShareThePartitionsAndAnswerForEachOther() throws Exception {
        String sae = "scaleout/layer0/topk-8";
        List<DocumentCodes> docs = retag(SyntheticCodes.documents(21, 300, 48, 10), sae);
        produce(docs);
        CatalogConfig config = config("catalog-scaleout");
        String a = "127.0.0.1:" + freePort();
        String b = "127.0.0.1:" + freePort();
        try (CatalogApp one =
                        CatalogApp.start(config, client(), dir.resolve("a").toString(), a, 1);
                CatalogApp two =
                        CatalogApp.start(config, client(), dir.resolve("b").toString(), b, 1)) {
            CatalogAssertions.awaitDocuments(sae, docs.size(), one, two);
            // both instances got work, so the answers below really came from two places
            assertThat(one.streams().metadataForLocalThreads().iterator().next().activeTasks())
                    .isNotEmpty();
            assertThat(two.streams().metadataForLocalThreads().iterator().next().activeTasks())
                    .isNotEmpty();
            BatchCatalog expected = new BatchCatalog(docs, config);
            CatalogAssertions.matchesReference(one.queries(), sae, expected, config);
            CatalogAssertions.matchesReference(two.queries(), sae, expected, config);
        }
        // a single instance on the same input ends with the same catalogue
        try (CatalogApp alone = CatalogApp.start(
                config("catalog-alone"), client(), dir.resolve("c").toString(), null, 1)) {
            CatalogAssertions.awaitDocuments(sae, docs.size(), alone);
            CatalogAssertions.matchesReference(alone.queries(), sae, new BatchCatalog(docs, config), config);
        }
    }

    @Test
    void aKilledInstanceIsReplacedWithoutLossOrDoubleCounting() throws Exception {
        String sae = "crash/layer0/topk-8";
        String appId = "catalog-crash";
        CatalogConfig config = config(appId);
        List<DocumentCodes> docs = retag(SyntheticCodes.documents(33, 1200, 48, 10), sae);
        Path stateDir = dir.resolve("crash-state");
        Path yaml = dir.resolve("crash.yaml");
        Files.writeString(
                yaml,
                "kafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\n"
                        + "  clientProperties:\n    session.timeout.ms: '6000'\n    heartbeat.interval.ms: '1500'\n"
                        + "catalog:\n  applicationId: " + appId
                        + "\n  topK: 5\n  before: 3\n  after: 4\n  reservoirSize: 8\n"
                        + "  backgroundSize: 20\n  backgroundLength: 16\n  checkpointMs: 500\n  commitIntervalMs: 500\n"
                        + "  emitIntervalMs: 1000\n  stateDir: " + stateDir + "\n");
        produce(docs.subList(0, 400));
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.saestream.cli.Main",
                        "catalog",
                        "--config",
                        yaml.toString(),
                        "--no-progress")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        CountDownLatch killed = new CountDownLatch(1);
        // input keeps arriving while the child runs and is killed; the last third only after the kill,
        // so however fast the child is, it dies with part of the stream still ahead of it
        CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
            try {
                awaitCommitted(appId, 1);
                for (int i = 400; i < 800; i += 10) {
                    produce(docs.subList(i, i + 10));
                    Thread.sleep(20);
                }
                killed.await();
                produce(docs.subList(800, docs.size()));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        long committedAtKill;
        try {
            awaitCommitted(appId, 450);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            committedAtKill = committed(appId);
        } finally {
            child.destroyForcibly();
            killed.countDown();
        }
        feeder.get(180, TimeUnit.SECONDS);
        assertThat(committedAtKill).as("killed mid-stream").isLessThan(endOffsets());
        try (CatalogApp replacement = CatalogApp.start(config, client(), stateDir.toString(), null, 1)) {
            CatalogAssertions.awaitDocuments(sae, docs.size(), replacement);
            // exactly once wipes the dead instance's local state: the replacement loaded it from the changelogs
            assertThat(replacement.restore().restored()).isPositive();
            assertThat(replacement.restore().restoring()).isFalse();
            CatalogAssertions.matchesReference(replacement.queries(), sae, new BatchCatalog(docs, config), config);
        }
    }

    /** The documents under another SAE id, so that tests sharing the topic keep apart. */
    static List<DocumentCodes> retag(List<DocumentCodes> docs, String sae) {
        List<DocumentCodes> out = new ArrayList<>();
        for (DocumentCodes d : docs) {
            out.add(new DocumentCodes(
                    sae, sae + ":" + d.docId(), d.tokens(), d.pieces(), d.gaps(), d.tail(), d.codes(), d.stats()));
        }
        return out;
    }

    static long committed(String appId) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(appId)
                    .partitionsToOffsetAndMetadata()
                    .get();
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(Topics.CODES))
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        }
    }

    static long endOffsets() throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(List.of(Topics.CODES))
                    .allTopicNames()
                    .get()
                    .get(Topics.CODES)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(Topics.CODES, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().values().stream()
                    .mapToLong(o -> o.offset())
                    .sum();
        }
    }

    /** Waits until the group has committed at least {@code atLeast} more codes records than the other tests put there. */
    static void awaitCommitted(String appId, long atLeast) throws Exception {
        // generous: a child JVM starting Kafka Streams on a loaded 2-core machine can take a minute
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            if (committed(appId) >= atLeast) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the catalog did not commit " + atLeast + " records in time; see child.log");
    }
}
