package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one feature state by its offset, for a worker about to label it: the scheduler keeps only
 * where each pending feature's latest state is, not the state, so that thousands of pending
 * features cost little memory. One consumer, shared by the workers one at a time.
 */
final class FeatureFetcher implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long TIMEOUT_SECONDS = 30;

    private final KafkaConsumer<String, byte[]> consumer;

    FeatureFetcher(Map<String, Object> kafka) {
        Map<String, Object> p = TopicFollower.consumerProps(kafka);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The feature state at {@code offset}, or null when compaction has removed it. */
    synchronized FeatureState fetch(TopicPartition tp, long offset) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL).records(tp)) {
                if (r.offset() != offset || r.value() == null) {
                    return null;
                }
                return Json.read(r.value(), FeatureState.class);
            }
        }
        throw new UncheckedIOException(
                new IOException("could not fetch " + tp + "@" + offset + " within " + TIMEOUT_SECONDS + " s"));
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
