package dev.saestream.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Interactive queries over the whole catalogue, wherever its partitions live: a feature is read
 * from the instance that owns its shard, lists and totals are gathered from every instance.
 */
public final class CatalogQueries {
    private final KafkaStreams streams;
    private final LocalCatalog local;
    private final HostInfo self;
    private final int shards;
    private final CatalogRpc.Client remote = new CatalogRpc.Client();

    /** {@code self} is this instance's {@code application.server}, or null when it runs alone. */
    public CatalogQueries(KafkaStreams streams, CatalogConfig config, int shards, HostInfo self) {
        this.streams = streams;
        this.local = new LocalCatalog(streams);
        this.self = self;
        this.shards = shards;
    }

    public LocalCatalog local() {
        return local;
    }

    /** One feature with its windows, from whichever instance holds it. */
    public Optional<FeatureState> feature(String saeId, int index) {
        if (self == null) {
            return local.feature(saeId, index);
        }
        KeyQueryMetadata md = streams.queryMetadataForKey(
                CatalogStores.STATS, ShardDelta.shardOf(index, shards), CatalogTopology.byShard());
        HostInfo owner = md.activeHost();
        if (owner == null || owner.equals(self) || owner.equals(KeyQueryMetadata.NOT_AVAILABLE.activeHost())) {
            return local.feature(saeId, index);
        }
        return remote.feature(owner, saeId, index);
    }

    /** A page of {@code saeId}'s features in {@code sort} order, over every instance. */
    public FeaturePage page(String saeId, FeatureSummary.Sort sort, int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must be >= 0, got " + offset + ", " + limit);
        }
        List<FeatureSummary> all = new ArrayList<>();
        for (HostInfo host : hosts()) {
            all.addAll(host.equals(self) || self == null ? local.summaries(saeId) : remote.summaries(host, saeId));
        }
        all.sort(sort.comparator());
        int from = Math.min(offset, all.size());
        return new FeaturePage(all.size(), offset, all.subList(from, Math.min(all.size(), from + limit)));
    }

    /** Documents, tokens and reconstruction error of {@code saeId}, over every instance. */
    public CatalogTotals totals(String saeId) {
        CatalogTotals merged = new CatalogTotals(saeId, 0, 0, null);
        for (HostInfo host : hosts()) {
            merged = merged.merge(host.equals(self) || self == null ? local.totals(saeId) : remote.totals(host, saeId));
        }
        return merged;
    }

    public Set<String> saeIds() {
        Set<String> ids = new TreeSet<>();
        for (HostInfo host : hosts()) {
            ids.addAll(host.equals(self) || self == null ? local.saeIds() : remote.saeIds(host));
        }
        return ids;
    }

    private Collection<HostInfo> hosts() {
        if (self == null) {
            return List.of(new HostInfo("local", 0));
        }
        Set<HostInfo> hosts = new java.util.LinkedHashSet<>();
        hosts.add(self);
        for (StreamsMetadata m : streams.streamsMetadataForStore(CatalogStores.STATS)) {
            hosts.add(m.hostInfo());
        }
        return hosts;
    }
}
