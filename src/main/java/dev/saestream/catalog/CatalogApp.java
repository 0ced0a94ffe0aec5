package dev.saestream.catalog;

import dev.saestream.kafka.StreamsProps;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running catalog instance: its Kafka Streams, its queries, and the endpoint other instances ask. */
public final class CatalogApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogApp.class);

    private final KafkaStreams streams;
    private final CatalogQueries queries;
    private final CatalogRpc rpc;
    private final int shards;
    private final CatalogCounters counters;
    private final RestoreProgress restore;

    private CatalogApp(
            KafkaStreams streams,
            CatalogQueries queries,
            CatalogRpc rpc,
            int shards,
            CatalogCounters counters,
            RestoreProgress restore) {
        this.streams = streams;
        this.restore = restore;
        this.queries = queries;
        this.rpc = rpc;
        this.shards = shards;
        this.counters = counters;
    }

    /**
     * Starts the catalog. {@code applicationServer} ({@code host:port}) is where this instance answers
     * the others; null when it runs alone.
     */
    public static CatalogApp start(
            CatalogConfig config,
            Map<String, Object> clientConfig,
            String stateDir,
            String applicationServer,
            int replicationFactor)
            throws IOException {
        return start(config, CatalogScope.ALL, clientConfig, stateDir, applicationServer, replicationFactor);
    }

    /** Starts the catalog of {@code scope}'s SAEs. */
    public static CatalogApp start(
            CatalogConfig config,
            CatalogScope scope,
            Map<String, Object> clientConfig,
            String stateDir,
            String applicationServer,
            int replicationFactor)
            throws IOException {
        int shards = config.shards() > 0 ? config.shards() : partitionsOf(clientConfig, Topics.CODES);
        Properties props = StreamsProps.of(
                config.applicationId(),
                clientConfig,
                config.threads(),
                config.commitIntervalMs(),
                stateDir,
                applicationServer,
                replicationFactor);
        TopicAdmin.alignInternalTopics(clientConfig, config.applicationId());
        CatalogCounters counters = new CatalogCounters();
        KafkaStreams streams = new KafkaStreams(CatalogTopology.build(config, scope, shards, counters), props);
        HostInfo self = applicationServer == null || applicationServer.isBlank()
                ? null
                : HostInfo.buildFromEndpoint(applicationServer);
        CatalogQueries queries = new CatalogQueries(streams, config, shards, self);
        CatalogRpc rpc = self == null ? null : CatalogRpc.serve(self, queries.local());
        streams.setUncaughtExceptionHandler(e -> {
            StateFormatException format = stateFormat(e);
            if (format != null) {
                log.error("the catalog cannot start: {}", format.getMessage());
            } else {
                log.error("catalog stream thread failed; shutting the catalog down", e);
            }
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
        RestoreProgress restore = new RestoreProgress();
        streams.setGlobalStateRestoreListener(restore);
        streams.start();
        log.info("catalog started: {} shards, application id {}", shards, config.applicationId());
        return new CatalogApp(streams, queries, rpc, shards, counters, restore);
    }

    private static StateFormatException stateFormat(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StateFormatException f) {
                return f;
            }
        }
        return null;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public CatalogQueries queries() {
        return queries;
    }

    /** Its stores loading from their changelogs. */
    public RestoreProgress restore() {
        return restore;
    }

    public CatalogCounters counters() {
        return counters;
    }

    public int shards() {
        return shards;
    }

    /** Waits until the instance is running (or fails), so that queries can be answered. */
    public void awaitRunning(Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING
                    || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the catalog did not start: it is " + streams.state());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        if (rpc != null) {
            rpc.close();
        }
        long start = System.nanoTime();
        boolean closed = StreamsProps.close(streams, Duration.ofSeconds(60));
        log.info("catalog {} in {} ms", closed ? "closed" : "still closing", (System.nanoTime() - start) / 1_000_000);
    }

    static int partitionsOf(Map<String, Object> clientConfig, String topic) {
        try (Admin admin = Admin.create(clientConfig)) {
            return admin.describeTopics(java.util.List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the partitions of " + topic + ": "
                            + e.getCause().getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
