package dev.saestream.catalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The catalogue as this instance holds it: reads its local state stores (all its partitions).
 * Statistics are as of the last checkpoint (at most {@code catalog.checkpointMs} old); windows
 * are current.
 */
public final class LocalCatalog {
    private static final int ATTEMPTS = 50;

    private final KafkaStreams streams;

    public LocalCatalog(KafkaStreams streams) {
        this.streams = streams;
    }

    public Optional<FeatureState> feature(String saeId, int index) {
        byte[] raw = store(CatalogStores.STATS).get(FeatureKey.of(saeId, index));
        if (raw == null) {
            return Optional.empty();
        }
        ReadOnlyKeyValueStore<String, byte[]> documents = store(CatalogStores.DOCUMENTS);
        java.util.Map<String, String[]> read = new java.util.HashMap<>();
        return Optional.of(FeatureAggregator.state(
                saeId,
                index,
                FeatureStats.read(raw),
                totals(saeId).tokens(),
                this.<Bytes>store(CatalogStores.WINDOWS),
                key -> read.computeIfAbsent(key, k -> FeatureAggregator.pieces(documents, k))));
    }

    /** Every feature of {@code saeId} held here, without windows. */
    public List<FeatureSummary> summaries(String saeId) {
        long tokens = totals(saeId).tokens();
        List<FeatureSummary> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it =
                this.<String>store(CatalogStores.STATS).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (FeatureKey.saeId(kv.key).equals(saeId)) {
                    out.add(FeatureSummary.of(saeId, FeatureKey.index(kv.key), FeatureStats.read(kv.value), tokens));
                }
            }
        }
        return out;
    }

    /** This instance's totals for {@code saeId}, merged over its partitions. */
    public CatalogTotals totals(String saeId) {
        CatalogTotals merged = new CatalogTotals(saeId, 0, 0, null);
        try (KeyValueIterator<String, byte[]> it =
                this.<String>store(CatalogStores.TOTALS).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(saeId)) {
                    merged = merged.merge(CatalogTotals.read(kv.value));
                }
            }
        }
        return merged;
    }

    public Set<String> saeIds() {
        Set<String> ids = new TreeSet<>();
        try (KeyValueIterator<String, byte[]> it =
                this.<String>store(CatalogStores.TOTALS).all()) {
            while (it.hasNext()) {
                ids.add(it.next().key);
            }
        }
        return ids;
    }

    /** The store across this instance's partitions, waiting out a rebalance for a while. */
    private <K> ReadOnlyKeyValueStore<K, byte[]> store(String name) {
        InvalidStateStoreException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                return streams.store(
                        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, byte[]>keyValueStore()));
            } catch (InvalidStateStoreException e) {
                last = e;
                sleep(Duration.ofMillis(100));
            }
        }
        throw new IllegalStateException(
                "the catalogue's store " + name + " is not queryable (rebalancing?): " + last.getMessage(), last);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the catalogue", e);
        }
    }
}
