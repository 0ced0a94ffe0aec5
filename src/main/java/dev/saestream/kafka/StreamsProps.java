package dev.saestream.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Kafka Streams settings every saestream stage shares: exactly once, explicit threads, state and replication. */
public final class StreamsProps {
    private StreamsProps() {}

    /**
     * @param applicationServer {@code host:port} where this instance answers interactive queries, or null
     * @param replicationFactor replication of internal topics (changelogs, repartitions); 0 or less keeps Kafka's default
     */
    public static Properties of(
            String applicationId,
            Map<String, Object> clientConfig,
            int threads,
            long commitIntervalMs,
            String stateDir,
            String applicationServer,
            int replicationFactor) {
        Properties p = new Properties();
        p.putAll(clientConfig);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Kafka 5's default, set now; Kafka 4.3 still warns from its internal copies (GlobalHandlerNoticeFilter)
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        if (replicationFactor > 0) {
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        }
        if (applicationServer != null && !applicationServer.isBlank()) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        // segments that roll, so that repartition purges and changelog compaction free disk (stores override the rest)
        InternalTopics.ALL.forEach((k, v) -> p.put(StreamsConfig.topicPrefix(k), v));
        // room to fold what is written and overwritten within one commit before it reaches a changelog
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
        // documents can be large, and so can a feature's state with its windows
        p.put(StreamsConfig.producerPrefix("max.request.size"), 16 * 1024 * 1024);
        // lz4 rather than zstd: the stages' output and changelogs are rewritten by the broker's cleaner too, and
        // with lz4 a warm catalog and its broker took 24% less CPU per token with settling (bench catalog), for
        // 60% more disk on saestream.features
        p.put(StreamsConfig.producerPrefix("compression.type"), "lz4");
        p.put(StreamsConfig.producerPrefix("linger.ms"), 20);
        // Streams' 10 s default aborts a transaction whose commit a busy 2-core machine delays (a model
        // batch and a catalog tick back to back), fencing the thread and redoing its work; a crashed
        // instance's open transaction still ends at its replacement's start, which fences it at once
        p.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 60_000);
        // a crashed instance's partitions wait this long for a new owner (45 s by default): the restart
        // after a kill -9 did nothing for 40 s; heartbeats come from their own thread, so load is no risk
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 15_000);
        return p;
    }

    /**
     * Closes {@code streams} within {@code timeout}, leaving its consumer group: Streams stays in the
     * group by default, and the next start (a new member) then waits out the old member's session
     * before it gets any partition. A clean stop is a departure, so say so.
     */
    public static boolean close(KafkaStreams streams, Duration timeout) {
        return streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    }
}
