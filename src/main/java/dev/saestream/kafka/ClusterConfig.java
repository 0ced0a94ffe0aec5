package dev.saestream.kafka;

import java.util.Map;

/**
 * How to reach Kafka (config section {@code kafka}).
 *
 * @param bootstrapServers  the cluster to use; null or empty means start the embedded broker
 * @param topicsDir         directory of topic specs
 * @param replicationFactor replication factor for created topics; 0 keeps each spec's own
 * @param clientProperties  extra client properties for every producer, consumer and admin (security settings, …)
 */
public record ClusterConfig(
        String bootstrapServers, String topicsDir, int replicationFactor, Map<String, String> clientProperties) {
    public static final String SECTION = "kafka";

    public ClusterConfig {
        if (topicsDir == null || topicsDir.isBlank()) {
            throw new IllegalArgumentException("kafka.topicsDir must be given");
        }
        if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "kafka.replicationFactor must be 0 (as in the spec) or positive, got " + replicationFactor);
        }
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, "topics", 0, Map.of());
    }

    public boolean embedded() {
        return bootstrapServers == null || bootstrapServers.isBlank();
    }

    /** Base client properties: bootstrap servers plus the extras; callers add their own. */
    public Map<String, Object> clientConfig(String bootstrap) {
        Map<String, Object> m = new java.util.HashMap<>(clientProperties);
        m.put("bootstrap.servers", bootstrap);
        return m;
    }

    public ClusterConfig withBootstrapServers(String bootstrapServers) {
        return new ClusterConfig(bootstrapServers, topicsDir, replicationFactor, clientProperties);
    }

    public ClusterConfig withTopicsDir(String topicsDir) {
        return new ClusterConfig(bootstrapServers, topicsDir, replicationFactor, clientProperties);
    }
}
