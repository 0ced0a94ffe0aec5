package dev.saestream.encode;

import dev.saestream.corpus.Document;
import dev.saestream.corpus.DocumentIds;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents the encode stage has already taken in, by id with the 64-bit hash of their text
 * ({@link DocumentIds#hash64}): those it encoded (its store's changelog, committed records only) and
 * those waiting in {@code saestream.texts} past its committed offsets. A producer that skips these
 * makes a re-run of the same input a no-op instead of a topic of duplicates.
 */
public final class EncodedDocuments {
    private static final Logger log = LoggerFactory.getLogger(EncodedDocuments.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Map<String, Long> hashes;

    private EncodedDocuments(Map<String, Long> hashes) {
        this.hashes = hashes;
    }

    /** Reads what the encode application {@code applicationId} has encoded or has still to encode. */
    public static EncodedDocuments read(Map<String, Object> clientConfig, String applicationId) {
        Map<String, Long> hashes = new HashMap<>();
        long start = System.nanoTime();
        String changelog = applicationId + "-" + EncodeTopology.DOCUMENTS_STORE + "-changelog";
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        Set<String> topics;
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin admin = Admin.create(clientConfig)) {
            topics = admin.listTopics().names().get();
            committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the offsets of " + applicationId + ": "
                            + e.getCause().getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (topics.contains(changelog)) {
            try (KafkaConsumer<String, Long> c =
                    new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer())) {
                readToEnd(c, changelog, Map.of(), (id, hash) -> {
                    if (hash == null) {
                        hashes.remove(id);
                    } else {
                        hashes.put(id, hash);
                    }
                });
            }
        }
        Map<TopicPartition, Long> from = new HashMap<>();
        committed.forEach((tp, o) -> {
            if (o != null && tp.topic().equals(Topics.TEXTS)) {
                from.put(tp, o.offset());
            }
        });
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            readToEnd(c, Topics.TEXTS, from, (key, value) -> {
                try {
                    Document doc = Json.read(value, Document.class);
                    String id = doc.id() != null ? doc.id() : key;
                    if (id != null) {
                        hashes.putIfAbsent(id, DocumentIds.hash64(doc.text()));
                    }
                } catch (RuntimeException unreadable) {
                    // the encode stage will dead-letter it; nothing to skip
                }
            });
        }
        log.info(
                "{} documents already encoded or waiting to be ({} ms)",
                hashes.size(),
                (System.nanoTime() - start) / 1_000_000);
        return new EncodedDocuments(hashes);
    }

    /** Reads {@code topic} from {@code from} (per partition; the beginning where absent) to its end as it is now. */
    private static <V> void readToEnd(
            KafkaConsumer<String, V> c, String topic, Map<TopicPartition, Long> from, BiConsumer<String, V> onRecord) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = infos.stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        from.forEach((tp, offset) -> {
            if (partitions.contains(tp)) {
                c.seek(tp, offset);
            }
        });
        Map<TopicPartition, Long> end = c.endOffsets(partitions);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "could not read " + topic + " to its end within " + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                onRecord.accept(r.key(), r.value());
            }
        }
    }

    /** True when document {@code id} with this very text was taken in already. */
    public boolean contains(String id, String text) {
        Long hash = hashes.get(id);
        return hash != null && hash == DocumentIds.hash64(text);
    }

    public int size() {
        return hashes.size();
    }
}
