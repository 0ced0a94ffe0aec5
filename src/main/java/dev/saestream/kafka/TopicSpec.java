package dev.saestream.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One topic as declared in {@code topics/<file>.yaml}: what {@code topics create} makes and
 * checks existing topics against.
 *
 * @param name              topic name
 * @param partitions        partition count: the unit of parallelism for every stage reading it
 * @param replicationFactor replicas per partition (1 on the embedded single-node broker)
 * @param cleanupPolicy     {@code delete}, {@code compact} or {@code compact,delete}
 * @param retentionMs       how long records are kept (-1 forever); for compacted topics, how long old versions may linger
 * @param compaction        compaction settings (topic configs such as {@code min.cleanable.dirty.ratio}); empty for delete topics
 * @param config            any other topic configs, passed through
 * @param key               what the key is, in words
 * @param value             what the value is, in words
 * @param valueSchema       path of the value's schema, relative to the {@code topics/} directory
 */
public record TopicSpec(
        String name,
        int partitions,
        short replicationFactor,
        String cleanupPolicy,
        long retentionMs,
        Map<String, String> compaction,
        Map<String, String> config,
        String key,
        String value,
        String valueSchema) {

    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicSpec {
        if (name == null || !LEGAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("topic name '" + name + "' is not a legal Kafka topic name");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": replicationFactor must be at least 1, got " + replicationFactor);
        }
        if (!("delete".equals(cleanupPolicy)
                || "compact".equals(cleanupPolicy)
                || "compact,delete".equals(cleanupPolicy))) {
            throw new IllegalArgumentException("topic " + name
                    + ": cleanupPolicy must be delete, compact or compact,delete, got " + cleanupPolicy);
        }
        if (retentionMs < -1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": retentionMs must be -1 (forever) or positive, got " + retentionMs);
        }
        compaction = compaction == null ? Map.of() : Map.copyOf(compaction);
        config = config == null ? Map.of() : Map.copyOf(config);
        if (!compaction.isEmpty() && !cleanupPolicy.contains("compact")) {
            throw new IllegalArgumentException(
                    "topic " + name + " has compaction settings but cleanupPolicy " + cleanupPolicy);
        }
    }

    /** Every topic-level config this spec sets, as Kafka names them. */
    public Map<String, String> topicConfigs() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("cleanup.policy", cleanupPolicy);
        all.put("retention.ms", Long.toString(retentionMs));
        all.putAll(compaction);
        all.putAll(config);
        return all;
    }

    /** The same spec with a different replication factor (for clusters with more brokers). */
    public TopicSpec withReplicationFactor(short rf) {
        return new TopicSpec(
                name, partitions, rf, cleanupPolicy, retentionMs, compaction, config, key, value, valueSchema);
    }

    public TopicSpec withPartitions(int n) {
        return new TopicSpec(
                name, n, replicationFactor, cleanupPolicy, retentionMs, compaction, config, key, value, valueSchema);
    }
}
