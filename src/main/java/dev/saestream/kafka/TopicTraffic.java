package dev.saestream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the broker holds per topic at one moment: every partition's end offset and the bytes its log
 * takes on disk. Two snapshots give what was written in between ({@link #since}), read from the
 * broker rather than from any writer's counters, so that it holds whatever format the writers use.
 *
 * @param endOffsets per partition, the offset the next record will get (transaction markers take offsets too)
 * @param diskBytes  per topic, the size of its logs on the brokers (all replicas)
 */
public record TopicTraffic(Map<TopicPartition, Long> endOffsets, Map<String, Long> diskBytes) {
    /** The records and bytes written to one topic between two snapshots. */
    public record Written(long records, long payloadBytes, long diskBytes) {}

    /** Every topic's end offsets and disk bytes now (internal topics of Kafka itself left out). */
    public static TopicTraffic of(Admin admin) throws InterruptedException {
        try {
            Set<String> topics = admin.listTopics().names().get();
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described
                    .values()
                    .forEach(t -> t.partitions()
                            .forEach(
                                    p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            List<Integer> brokers = new ArrayList<>();
            admin.describeCluster().nodes().get().forEach(n -> brokers.add(n.id()));
            Map<String, Long> disk = new TreeMap<>();
            for (Map<String, LogDirDescription> dirs :
                    admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> r :
                            dir.replicaInfos().entrySet()) {
                        disk.merge(r.getKey().topic(), r.getValue().size(), Long::sum);
                    }
                }
            }
            return new TopicTraffic(Map.copyOf(ends), Map.copyOf(disk));
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the topics' offsets and sizes: " + e.getCause().getMessage(), e);
        }
    }

    /**
     * Per topic whose offsets moved since {@code before}: the committed records written in between and
     * their key and value bytes (read back with read_committed, so aborted records and transaction
     * markers do not count), and the growth of its logs on disk.
     */
    public Map<String, Written> since(TopicTraffic before, Map<String, Object> clientConfig) {
        Map<TopicPartition, Long> from = new HashMap<>();
        endOffsets.forEach((tp, end) -> {
            long start = before.endOffsets.getOrDefault(tp, 0L);
            if (end > start) {
                from.put(tp, start);
            }
        });
        Map<String, long[]> counted = new TreeMap<>();
        if (!from.isEmpty()) {
            Map<String, Object> props = new HashMap<>(clientConfig);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(from.keySet());
                from.forEach(consumer::seek);
                Set<TopicPartition> open = new java.util.HashSet<>(from.keySet());
                // a transaction still open at the snapshot holds read_committed back until it ends; do not wait forever
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (!open.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        if (r.offset() < endOffsets.get(tp)) {
                            long[] c = counted.computeIfAbsent(r.topic(), t -> new long[2]);
                            c[0]++;
                            c[1] += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                        }
                    }
                    // a partition is done once the position passes its end, markers included
                    open.removeIf(tp -> consumer.position(tp) >= endOffsets.get(tp));
                }
            }
        }
        Map<String, Written> written = new TreeMap<>();
        for (TopicPartition tp : from.keySet()) {
            String topic = tp.topic();
            long[] c = counted.getOrDefault(topic, new long[2]);
            written.put(
                    topic,
                    new Written(
                            c[0], c[1], diskBytes.getOrDefault(topic, 0L) - before.diskBytes.getOrDefault(topic, 0L)));
        }
        return written;
    }
}
