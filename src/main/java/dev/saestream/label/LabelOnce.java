package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code saestream label --once}: one feature labelled as it is now on the features topic, with the
 * background as it is now, outside the consumer group, for trying a configuration by hand.
 */
public final class LabelOnce {
    private static final Duration POLL = Duration.ofMillis(200);

    private LabelOnce() {}

    /** Labels the feature {@code key}, and writes the label to the labels topic only when {@code write}. */
    public static Label label(
            LabelConfig config, Map<String, Object> kafka, Map<String, String> env, String key, boolean write)
            throws LlmUnavailableException, IOException {
        FeatureKey.index(key); // fails early, naming the bad key
        Duration timeout = Duration.ofSeconds(60);
        byte[] stateBytes = latest(kafka, config.topics().features(), key, timeout);
        if (stateBytes == null) {
            throw new IllegalArgumentException(
                    "feature " + key + " is not on " + config.topics().features()
                            + "; keys look like <saeId>/<index>, e.g. all-minilm-l6-v2/layer3/topk-3072/17");
        }
        FeatureState state = Json.read(stateBytes, FeatureState.class);
        byte[] lastBytes = latest(kafka, config.topics().labels(), key, timeout);
        Label last = lastBytes == null ? null : Json.read(lastBytes, Label.class);
        BackgroundIndex background = new BackgroundIndex();
        TopicFollower.readToEnd(
                config.topics().background(),
                kafka,
                r -> background.put(r.key(), r.value() == null ? null : Json.read(r.value(), BackgroundWindow.class)),
                timeout);
        Labeller labeller = Labeller.create(config, background, env);
        if (config.scoring().nullBaseline()) {
            // other features' explanations, for the null baseline
            TopicFollower.readToEnd(
                    config.topics().labels(), kafka, r -> readLabel(r.value()).ifPresent(labeller::remember), timeout);
        }
        Label label = labeller.label(state, last);
        if (write) {
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                    LabelService.producerProps(kafka), new StringSerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(config.topics().labels(), key, Json.write(label)))
                        .get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing the label", e);
            } catch (ExecutionException e) {
                throw new IOException(
                        "could not write the label to " + config.topics().labels() + ": "
                                + e.getCause().getMessage(),
                        e);
            }
        }
        return label;
    }

    /** A label record's value, empty for a tombstone or a record that does not read as a label. */
    private static Optional<Label> readLabel(byte[] value) {
        try {
            return value == null ? Optional.empty() : Optional.of(Json.read(value, Label.class));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The latest value of {@code key} on a compacted topic (null when absent or deleted), from the
     * partition the default partitioner puts the key in, read to its end.
     */
    static byte[] latest(Map<String, Object> kafka, String topic, String key, Duration timeout) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                TopicFollower.consumerProps(kafka), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return null;
            }
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            // where the producers' default partitioner put it: Kafka's own function, not a copy of it
            TopicPartition tp = new TopicPartition(topic, BuiltInPartitioner.partitionForKey(keyBytes, infos.size()));
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            byte[] value = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (c.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + tp + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                    if (key.equals(r.key())) {
                        value = r.value();
                    }
                }
            }
            return value;
        }
    }
}
