package dev.saestream.catalog;

import dev.saestream.encode.ReconstructionStats;
import java.util.List;

/**
 * What one document adds to one shard of the catalogue: the repartition record between the
 * per-document scan and the per-feature state. Every document sends one to every shard (so each
 * shard counts every token, for density), carrying the deltas of the features that live there.
 *
 * @param saeId      the SAE
 * @param docId      the document
 * @param shard      the shard (repartition partition) this is for
 * @param tokens     tokens in the document
 * @param recon      the document's reconstruction error (shard 0 only, else null)
 * @param pieces     the document's display pieces, when a window candidate here refers to them (else null)
 * @param features   deltas of this shard's features, ascending by feature
 * @param background background window candidates (shard 0 only)
 * @param facet      the document's value of the catalogue's facet field, or null when it has none
 */
public record ShardDelta(
        String saeId,
        String docId,
        int shard,
        int tokens,
        ReconstructionStats recon,
        String[] pieces,
        List<FeatureDelta> features,
        List<BackgroundCandidate> background,
        String facet) {
    public ShardDelta {
        features = features == null ? List.of() : features;
        background = background == null ? List.of() : background;
    }

    /** A delta of a document without a facet value. */
    public ShardDelta(
            String saeId,
            String docId,
            int shard,
            int tokens,
            ReconstructionStats recon,
            String[] pieces,
            List<FeatureDelta> features,
            List<BackgroundCandidate> background) {
        this(saeId, docId, shard, tokens, recon, pieces, features, background, null);
    }

    /** The same delta without its windows, background and document: what a statistics replay needs. */
    ShardDelta statisticsOnly() {
        List<FeatureDelta> stripped = new java.util.ArrayList<>(features.size());
        for (FeatureDelta f : features) {
            stripped.add(
                    f.candidates().isEmpty()
                            ? f
                            : new FeatureDelta(
                                    f.feature(),
                                    f.activations(),
                                    f.sumFixed(),
                                    f.max(),
                                    f.bins(),
                                    f.binCounts(),
                                    f.windows(),
                                    List.of()));
        }
        return new ShardDelta(saeId, docId, shard, tokens, recon, null, stripped, List.of(), facet);
    }

    /** The shard a feature lives on. */
    public static int shardOf(int feature, int shards) {
        return feature % shards;
    }
}
