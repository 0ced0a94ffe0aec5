package dev.saestream.kafka;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * How far a consumer group is behind on some topics: the committed offsets against the last
 * committed (read_committed) offsets, summed. Zero means the stage has processed all there is.
 */
public final class ConsumerLag {
    private ConsumerLag() {}

    public static long of(Admin admin, String groupId, Set<String> topics) throws InterruptedException {
        try {
            return lag(admin, groupId, topics);
        } catch (ExecutionException e) {
            throw failed(groupId, e);
        }
    }

    /**
     * True when the group has committed everything on {@code topics}. False, not an error, while
     * the broker answers with a retriable error (a new internal topic's partition still loading, a
     * leader moving): the callers poll, so they simply ask again.
     */
    public static boolean caughtUp(Admin admin, String groupId, Set<String> topics) throws InterruptedException {
        try {
            return lag(admin, groupId, topics) == 0;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return false;
            }
            throw failed(groupId, e);
        }
    }

    private static long lag(Admin admin, String groupId, Set<String> topics)
            throws InterruptedException, ExecutionException {
        Map<String, TopicDescription> desc =
                admin.describeTopics(topics).allTopicNames().get();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                        TopicAdmin.everyPartition(desc.values(), OffsetSpec.latest()),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .get();
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    private static IllegalStateException failed(String groupId, ExecutionException e) {
        return new IllegalStateException(
                "cannot read the lag of " + groupId + ": " + e.getCause().getMessage(), e);
    }
}
