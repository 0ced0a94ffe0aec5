package dev.saestream.pipeline;

import dev.saestream.config.Home;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpec;
import dev.saestream.kafka.TopicSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka a command talks to: the given cluster, or the embedded broker (started here for
 * all-in-one commands, expected to be running for the others).
 */
public final class KafkaSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaSession.class);

    private final ClusterConfig cluster;
    private final String bootstrapServers;
    private final EmbeddedBroker broker;

    private KafkaSession(ClusterConfig cluster, String bootstrapServers, EmbeddedBroker broker) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
    }

    /** All-in-one: start the embedded broker unless a cluster was given. */
    public static KafkaSession startOrConnect(ClusterConfig cluster, BrokerConfig brokerConfig) throws IOException {
        if (cluster.embedded()) {
            EmbeddedBroker broker = EmbeddedBroker.start(brokerConfig);
            return new KafkaSession(cluster, broker.bootstrapServers(), broker);
        }
        return connect(cluster, brokerConfig);
    }

    /** A single stage: connect to the given cluster, or to a running embedded broker. */
    public static KafkaSession connect(ClusterConfig cluster, BrokerConfig brokerConfig) {
        String bootstrap =
                cluster.embedded() ? brokerConfig.host() + ":" + brokerConfig.port() : cluster.bootstrapServers();
        // generous: a broker on a loaded machine can take seconds to answer, and a stage that gives up
        // early says "no Kafka" about a Kafka that is there
        try (Admin admin = Admin.create(Map.of(
                "bootstrap.servers", bootstrap, "request.timeout.ms", 10_000, "default.api.timeout.ms", 20_000))) {
            admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no Kafka answers at " + bootstrap + "; start one with `saestream broker`"
                    + " or pass --bootstrap-servers");
        }
        return new KafkaSession(cluster, bootstrap, null);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Map<String, Object> clientConfig() {
        return cluster.clientConfig(bootstrapServers);
    }

    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /**
     * The specs of {@code cluster}'s topic directory (resolved against the saestream home), with its
     * replication factor applied; the jar's copy when the default directory is absent (started
     * outside the project).
     */
    public static List<TopicSpec> topicSpecs(ClusterConfig cluster) throws IOException {
        Path dir = Home.resolve(cluster.topicsDir());
        List<TopicSpec> specs =
                !Files.isDirectory(dir) && Path.of(cluster.topicsDir()).equals(TopicSpecs.DEFAULT_DIR)
                        ? TopicSpecs.loadBundled()
                        : TopicSpecs.load(dir);
        if (cluster.replicationFactor() > 0) {
            return specs.stream()
                    .map(s -> s.withReplicationFactor((short) cluster.replicationFactor()))
                    .toList();
        }
        return specs;
    }

    /** Creates the topics from the specs (idempotent); fails naming any difference from an existing topic. */
    public Map<String, TopicAdmin.Outcome> createTopics() throws IOException, InterruptedException {
        List<TopicSpec> specs = topicSpecs(cluster);
        try (Admin admin = admin()) {
            Map<String, TopicAdmin.Outcome> outcome = new TopicAdmin(admin).create(specs);
            log.info("topics: {}", outcome);
            return outcome;
        }
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
