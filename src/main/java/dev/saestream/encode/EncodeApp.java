package dev.saestream.encode;

import dev.saestream.kafka.StreamsProps;
import dev.saestream.kafka.TopicAdmin;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running encode instance: Kafka Streams over one shared, thread-safe {@link DocumentEncoder}. */
public final class EncodeApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EncodeApp.class);
    /**
     * Records a stream thread takes per poll. Streams processes every record a poll returned before it
     * looks at a stop request, and by default a poll returns up to 1,000: at a fraction of a second per
     * document through the transformer, Ctrl-C then waited most of a minute. With a few per poll, a
     * stop waits for those few.
     */
    static final int POLL_RECORDS = 4;

    private final KafkaStreams streams;
    private final EncodeCounters counters;

    private EncodeApp(KafkaStreams streams, EncodeCounters counters) {
        this.streams = streams;
        this.counters = counters;
    }

    public static EncodeApp start(
            DocumentEncoder encoder,
            EncodeConfig config,
            Map<String, Object> clientConfig,
            String stateDir,
            int replicationFactor) {
        TopicAdmin.alignInternalTopics(clientConfig, config.applicationId());
        EncodeCounters counters = new EncodeCounters();
        Properties props = StreamsProps.of(
                config.applicationId(),
                clientConfig,
                config.threads(),
                config.commitIntervalMs(),
                stateDir,
                null,
                replicationFactor);
        if (!clientConfig.containsKey(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)) {
            props.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), POLL_RECORDS);
        }
        KafkaStreams streams = new KafkaStreams(EncodeTopology.build(encoder, config, counters), props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("encode stream thread failed; shutting the encode stage down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        log.info("encode started: {} threads, SAE {}", config.threads(), encoder.saeId());
        return new EncodeApp(streams, counters);
    }

    public KafkaStreams streams() {
        return streams;
    }

    public EncodeCounters counters() {
        return counters;
    }

    /**
     * Closes Kafka Streams (commits what was processed, writes the state checkpoints) within
     * {@code timeout}; false when a stream thread is still running then, so that the caller keeps
     * the encoder's native memory alive under it.
     */
    public boolean close(Duration timeout) {
        long start = System.nanoTime();
        boolean closed = StreamsProps.close(streams, timeout);
        log.info(
                "encode stage {} in {} ms",
                closed ? "closed" : "still closing",
                (System.nanoTime() - start) / 1_000_000);
        return closed;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(60));
    }
}
