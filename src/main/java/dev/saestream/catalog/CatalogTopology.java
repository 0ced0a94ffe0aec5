package dev.saestream.catalog;

import dev.saestream.kafka.InternalTopics;
import dev.saestream.kafka.Topics;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The catalog as a Kafka Streams topology:
 * {@code saestream.codes} → scan each document → repartition by feature shard → merge into
 * per-feature state → {@code saestream.features} and {@code saestream.background}; unreadable
 * codes → {@code saestream.dlq}.
 */
public final class CatalogTopology {
    static final String SHARDS_TOPIC = "catalog-shards";

    private CatalogTopology() {}

    /**
     * The feature-shard repartition topic Kafka Streams makes from {@link #SHARDS_TOPIC} for the
     * catalog application {@code applicationId}: whoever waits for the catalog to catch up waits on it too.
     */
    public static String shardsTopic(String applicationId) {
        return applicationId + "-" + SHARDS_TOPIC + "-repartition";
    }

    /** The topology; {@code shards} is the partition count of the feature-keyed repartition topic. */
    public static Topology build(CatalogConfig config, int shards) {
        return build(config, shards, new CatalogCounters());
    }

    /** The topology, counting what it does in {@code counters}. */
    public static Topology build(CatalogConfig config, int shards, CatalogCounters counters) {
        return build(config, CatalogScope.ALL, shards, counters);
    }

    /** The topology of the catalogues of {@code scope}'s SAEs, counting what it does in {@code counters}. */
    public static Topology build(CatalogConfig config, CatalogScope scope, int shards, CatalogCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();
        // Caching folds what is written and deleted within one commit (a log entry and its truncation)
        // into nothing on the changelog. Statistics are written once per checkpoint anyway, and windows
        // and documents rarely leave a sample in the commit they entered it, so those write through: the
        // record cache's bookkeeping per entry cost more than the changelog records it saved.
        // On disk (persistentWindows, the default), every store is checkpointed when Kafka Streams closes, so
        // a start after a clean stop reads only the changelogs' tails; an in-memory store reads all of its changelog.
        builder.addStateStore(
                store(CatalogStores.LOG, windowsSupplier(config, CatalogStores.LOG), Serdes.Long(), true));
        builder.addStateStore(
                store(CatalogStores.STATS, windowsSupplier(config, CatalogStores.STATS), Serdes.String(), false));
        builder.addStateStore(
                store(CatalogStores.TOTALS, windowsSupplier(config, CatalogStores.TOTALS), Serdes.String(), false));
        builder.addStateStore(
                store(CatalogStores.WINDOWS, windowsSupplier(config, CatalogStores.WINDOWS), Serdes.Bytes(), false));
        builder.addStateStore(store(
                CatalogStores.DOCUMENTS, windowsSupplier(config, CatalogStores.DOCUMENTS), Serdes.String(), false));
        builder.addStateStore(store(
                CatalogStores.BACKGROUND, windowsSupplier(config, CatalogStores.BACKGROUND), Serdes.Bytes(), true));

        // 1. per document: regroup its codes by feature, one delta per shard; unreadable records to the DLQ
        KStream<ScanKey, byte[]> scanned = builder.stream(
                        Topics.CODES,
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("codes-source"))
                .process(() -> new DocumentSharder(config, scope, shards, counters), Named.as("catalog-scan"));
        scanned.filter((k, v) -> k instanceof ScanKey.Rejected, Named.as("rejected"))
                .map((k, v) -> KeyValue.pair(((ScanKey.Rejected) k).id(), v), Named.as("dead-letter-key"))
                .to(
                        Topics.DLQ,
                        Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dlq-sink"));
        scanned.filter((k, v) -> k instanceof ScanKey.ToShard, Named.as("deltas"))
                .map((k, v) -> KeyValue.pair(((ScanKey.ToShard) k).shard(), v), Named.as("shard-key"))
                // 2. to the shard that owns each feature
                .repartition(Repartitioned.<Integer, byte[]>as(SHARDS_TOPIC)
                        .withKeySerde(Serdes.Integer())
                        .withValueSerde(Serdes.ByteArray())
                        .withNumberOfPartitions(shards)
                        .withStreamPartitioner(byShard()))
                // 3. merge into the features' state; emit what changed materially, each to its topic
                .process(
                        () -> new FeatureAggregator(config, counters),
                        Named.as("catalog-merge"),
                        CatalogStores.LOG,
                        CatalogStores.STATS,
                        CatalogStores.TOTALS,
                        CatalogStores.WINDOWS,
                        CatalogStores.DOCUMENTS,
                        CatalogStores.BACKGROUND)
                .to(
                        (out, value, context) -> out.topic(),
                        Produced.with(CatalogOutput.KEY_SERDE, Serdes.ByteArray())
                                .withName("catalog-sink"));
        return builder.build();
    }

    /** Shard s goes to partition s: the partitioner the queries use to find a feature's instance. */
    static StreamPartitioner<Integer, byte[]> byShard() {
        return new StreamPartitioner<>() {
            @Override
            public Optional<Set<Integer>> partitions(String topic, Integer key, byte[] value, int numPartitions) {
                return Optional.of(Set.of(Math.floorMod(key, numPartitions)));
            }
        };
    }

    private static KeyValueBytesStoreSupplier windowsSupplier(CatalogConfig config, String name) {
        return config.persistentWindows() ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    private static <K> StoreBuilder<?> store(
            String name,
            KeyValueBytesStoreSupplier supplier,
            org.apache.kafka.common.serialization.Serde<K> keySerde,
            boolean cached) {
        var b = Stores.keyValueStoreBuilder(supplier, keySerde, Serdes.ByteArray())
                .withLoggingEnabled(InternalTopics.CHANGELOG);
        return cached ? b.withCachingEnabled() : b.withCachingDisabled();
    }
}
