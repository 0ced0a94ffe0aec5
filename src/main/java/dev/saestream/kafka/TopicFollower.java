package dev.saestream.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of a topic from the beginning into memory and keeps following it, on its
 * own thread, with no consumer group: each instance needs all of it (the labeller's background
 * sample and labels ledger, the web server's view of the catalogue, an export). {@link #caughtUp} turns true once it has read what the topic held at start;
 * {@link #reached} tells whether it has read (and handed on) everything below given offsets.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

    private final String topic;
    private final Map<String, Object> kafka;
    private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    /** Per partition, the offset below which every record has been handed to {@code onRecord}. */
    private final Map<TopicPartition, Long> read = new ConcurrentHashMap<>();

    private volatile KafkaConsumer<String, byte[]> consumer;

    public TopicFollower(String topic, Map<String, Object> kafka, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this.topic = topic;
        this.kafka = kafka;
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, "follow-" + topic);
        this.thread.setDaemon(true);
    }

    /** Creates the consumer (so that {@link #consumer} has it from here on) and starts reading on the follower's thread. */
    public TopicFollower start() {
        consumer = new KafkaConsumer<>(consumerProps(kafka), new StringDeserializer(), new ByteArrayDeserializer());
        thread.start();
        return this;
    }

    /**
     * The consumer, once {@link #start} has made it, for its metrics ({@code metrics()} may be called
     * from any thread); null before. Only the follower's thread polls it.
     */
    public org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer() {
        return consumer;
    }

    public String topic() {
        return topic;
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * True once every record below {@code offsets} (per partition, e.g. end offsets taken earlier)
     * has been handed to {@code onRecord}.
     */
    public boolean reached(Map<TopicPartition, Long> offsets) {
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            if (e.getValue() > 0 && read.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Reads the topic as it is now, then stops. */
    public static void readToEnd(
            String topic,
            Map<String, Object> kafka,
            Consumer<ConsumerRecord<String, byte[]>> onRecord,
            Duration timeout) {
        try (TopicFollower f = new TopicFollower(topic, kafka, onRecord).start()) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!f.caughtUp()) {
                if (System.nanoTime() > deadline || !f.thread.isAlive()) {
                    throw new IllegalStateException("could not read topic " + topic + " within " + timeout.toSeconds()
                            + " s; is Kafka at " + kafka.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) + " reachable?");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + topic, e);
        }
    }

    /**
     * Consumer settings for reading what the stages wrote: from the beginning, no auto-commit, and only
     * committed transactions. The stages write under exactly-once, and Kafka's consumers read
     * uncommitted by default, so a transaction a crashed stage aborted would otherwise reach the view,
     * the labeller and an export.
     */
    public static Map<String, Object> consumerProps(Map<String, Object> kafka) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = consumer) {
            List<TopicPartition> partitions = List.of();
            boolean warned = false;
            while (running && partitions.isEmpty()) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                partitions = infos == null
                        ? List.of()
                        : infos.stream()
                                .map(i -> new TopicPartition(topic, i.partition()))
                                .toList();
                if (partitions.isEmpty()) {
                    // an absent topic reads as empty until it appears
                    caughtUp = true;
                    if (!warned) {
                        log.warn("topic {} does not exist yet; reading it as empty until it does", topic);
                        warned = true;
                    }
                    Thread.sleep(1000);
                }
            }
            caughtUp = false;
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    onRecord.accept(r);
                }
                for (TopicPartition tp : partitions) {
                    read.put(tp, c.position(tp));
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    log.debug("read {} to its end at start", topic);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("stopped following {}: {}", topic, e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
