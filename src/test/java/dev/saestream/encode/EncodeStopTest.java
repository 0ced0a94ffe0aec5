package dev.saestream.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.corpus.Document;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpecs;
import dev.saestream.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop in the middle of a backlog: the encode stage finishes the few documents its last poll took,
 * not the whole backlog it has fetched, and the next start encodes the rest, each document once.
 */
class EncodeStopTest {
    private static final int DOCUMENTS = 60;

    @TempDir
    Path dir;

    /** The word encoder at a transformer's pace: a stop that waited for the backlog would take its whole length. */
    static final class SlowEncoder implements DocumentEncoder {
        private final EncodeTopologyTest.WordEncoder words = new EncodeTopologyTest.WordEncoder();

        @Override
        public String saeId() {
            return words.saeId();
        }

        @Override
        public DocumentCodes encode(String docId, String text) throws EncodeException {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return words.encode(docId, text);
        }
    }

    @Test
    void aStopMidBacklogFinishesOnlyTheLastPollAndTheNextStartEncodesTheRestOnce() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()))) {
            Map<String, Object> kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(kafka)) {
                new TopicAdmin(admin).create(TopicSpecs.load(TopicSpecs.DEFAULT_DIR));
            }
            try (KafkaProducer<String, byte[]> p =
                    new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < DOCUMENTS; i++) {
                    String id = "doc-" + i;
                    Document doc = new Document(id, "words number " + i + " of the backlog", "test", 0L, Map.of());
                    p.send(new ProducerRecord<>(Topics.TEXTS, id, Json.write(doc)));
                }
            }
            EncodeConfig config =
                    new EncodeConfig("stop-encode", CodesFormat.Precision.HALF, 100_000, 1, 200, "", "unused", 64);
            String state = dir.resolve("state").toString();

            long atStop;
            long first;
            try (SlowEncoder encoder = new SlowEncoder()) {
                EncodeApp app = EncodeApp.start(encoder, config, kafka, state, 1);
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (app.counters().encoded.get() < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                atStop = app.counters().encoded.get();
                assertThat(atStop).as("encoded before the stop").isGreaterThanOrEqualTo(5);
                assertThat(app.close(Duration.ofMinutes(1))).isTrue();
                first = app.counters().encoded.get();
            }
            // the documents of the poll in hand (and the one in the transformer), not the fetched backlog
            assertThat(first - atStop)
                    .as("documents encoded after the stop was asked for")
                    .isLessThanOrEqualTo(EncodeApp.POLL_RECORDS + 1L);
            assertThat(first).isLessThan(DOCUMENTS);

            try (SlowEncoder encoder = new SlowEncoder();
                    EncodeApp app = EncodeApp.start(encoder, config, kafka, state, 1)) {
                Map<String, Integer> codes = awaitCodes(broker.bootstrapServers(), DOCUMENTS);
                assertThat(codes.keySet())
                        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, DOCUMENTS)
                                .mapToObj(i -> "doc-" + i)
                                .collect(Collectors.toSet()));
                assertThat(codes.values()).as("codes records per document").allMatch(n -> n == 1);
                assertThat(app.counters().encoded.get()).isEqualTo(DOCUMENTS - first);
                assertThat(app.counters().deadLettered.get()).isZero();
            }
        }
    }

    /** Committed codes records per document id, read until {@code expected} documents have one. */
    private static Map<String, Integer> awaitCodes(String bootstrap, int expected) {
        Map<String, Integer> perDoc = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", bootstrap,
                        "group.id", "stop-reader",
                        "auto.offset.reset", "earliest",
                        "isolation.level", "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(Set.of(Topics.CODES));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            int quietPolls = 0;
            // past the expected count, a few more polls: a duplicate would arrive after it
            while (System.nanoTime() < deadline && (perDoc.size() < expected || quietPolls < 5)) {
                List<String> keys = new ArrayList<>();
                c.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                keys.forEach(k -> perDoc.merge(k, 1, Integer::sum));
                quietPolls = keys.isEmpty() ? quietPolls + 1 : 0;
            }
        }
        return perDoc;
    }
}
