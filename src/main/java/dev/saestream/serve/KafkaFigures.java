package dev.saestream.serve;

import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the cluster says about the pipeline, wherever its stages run: records on the texts and
 * codes topics, and each stage's consumer lag from its group's committed offsets. Read every few
 * seconds on the server's own thread, never per request.
 *
 * @param produced       records on saestream.texts (committed), or null when unreadable
 * @param encodeRead     texts the encode group has committed: documents it has read (encoded or dead-lettered);
 *                       texts are written without transactions, so offsets count records (codes carry
 *                       transaction markers, so their offsets do not)
 * @param encodeLag      the encode stage's lag on saestream.texts, null when its group has committed nothing
 * @param catalogLag     the catalog stage's lag on saestream.codes
 * @param labelLag       the labeller's lag on saestream.features
 */
record KafkaFigures(Long produced, Long encodeRead, Long encodeLag, Long catalogLag, Long labelLag) {
    static final KafkaFigures UNKNOWN = new KafkaFigures(null, null, null, null, null);

    static KafkaFigures read(Admin admin, StageGroups groups) throws InterruptedException {
        try {
            Map<String, TopicDescription> desc = admin.describeTopics(
                            List.of(Topics.TEXTS, Topics.CODES, Topics.FEATURES))
                    .allTopicNames()
                    .get(5, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                            TopicAdmin.everyPartition(desc.values(), OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(5, TimeUnit.SECONDS);
            Map<TopicPartition, Long> end = new HashMap<>();
            ends.forEach((tp, info) -> end.put(tp, info.offset()));
            Map<TopicPartition, Long> textsCommitted = committed(admin, groups.encode(), Topics.TEXTS);
            return new KafkaFigures(
                    sum(end, Topics.TEXTS),
                    textsCommitted.isEmpty()
                            ? null
                            : textsCommitted.values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum(),
                    lag(end, textsCommitted, Topics.TEXTS),
                    lag(end, committed(admin, groups.catalog(), Topics.CODES), Topics.CODES),
                    lag(end, committed(admin, groups.label(), Topics.FEATURES), Topics.FEATURES));
        } catch (ExecutionException | TimeoutException e) {
            return UNKNOWN;
        }
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null && tp.topic().equals(topic)) {
                out.put(tp, o.offset());
            }
        });
        return out;
    }

    private static Long sum(Map<TopicPartition, Long> end, String topic) {
        return end.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** End minus committed over the topic's partitions; null when the group has committed nothing there. */
    private static Long lag(Map<TopicPartition, Long> end, Map<TopicPartition, Long> committed, String topic) {
        if (committed.isEmpty()) {
            return null;
        }
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (e.getKey().topic().equals(topic)) {
                lag += Math.max(0, e.getValue() - committed.getOrDefault(e.getKey(), 0L));
            }
        }
        return lag;
    }
}
