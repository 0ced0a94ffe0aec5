package dev.saestream.serve;

import dev.saestream.label.SimilarFeatures;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEncoders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SAEs whose weights this server has: their width (so dead features can be counted) and their
 * decoder directions (nearest features, matches across SAEs, compare). Other SAEs in the catalogue
 * are shown without either.
 */
public final class KnownSaes {
    /** Candidates per feature for the one-to-one matching, as {@code compare} uses by default. */
    static final int MATCH_CANDIDATES = 8;

    private final Map<String, Sae> byId = new ConcurrentHashMap<>();
    private final Map<String, SimilarFeatures> similar = new ConcurrentHashMap<>();
    /** Matchings by "a\nb": seconds to compute at 3,072 features, half a minute at 24,576, so once per pair. */
    private final Map<String, FeatureMatching.Result> matchings = new ConcurrentHashMap<>();
    /** Each SAE's decoder rows scaled to unit length, for the best match of one feature. */
    private final Map<String, float[]> unitDecoders = new ConcurrentHashMap<>();

    public KnownSaes(List<Sae> saes) {
        for (Sae s : saes) {
            byId.put(s.id(), s);
        }
    }

    Sae get(String saeId) {
        return byId.get(saeId);
    }

    /** The SAE's decoder directions, or null when its weights are not here. */
    SimilarFeatures similar(String saeId) {
        Sae s = byId.get(saeId);
        return s == null ? null : similar.computeIfAbsent(saeId, id -> SimilarFeatures.of(s));
    }

    /**
     * The one-to-one matching of {@code a}'s features to {@code b}'s ({@link FeatureMatching}),
     * computed at the first request for the pair and kept.
     *
     * @throws IllegalArgumentException when the two read activations of different widths
     */
    FeatureMatching.Result matching(Sae a, Sae b) {
        return matchings.computeIfAbsent(
                a.id() + "\n" + b.id(), k -> FeatureMatching.match(a, b, MATCH_CANDIDATES, SaeEncoders.allThreads()));
    }

    /** A feature's closest decoder direction in another SAE. */
    record BestMatch(String saeId, int index, double cosine) {}

    /**
     * Feature {@code index} of {@code saeId}'s best match by decoder cosine in every other SAE here
     * at the same hook of the same model (the others' directions live in another space), by SAE id.
     */
    List<BestMatch> bestMatches(String saeId, int index) {
        Sae own = byId.get(saeId);
        if (own == null || index >= own.config().dSae()) {
            return List.of();
        }
        int dIn = own.config().dIn();
        float[] row = unit(own);
        List<BestMatch> out = new ArrayList<>();
        for (Sae other : new TreeMap<>(byId).values()) {
            if (other == own
                    || other.config().dIn() != dIn
                    || !Objects.equals(other.config().hookName(), own.config().hookName())
                    || !Objects.equals(other.config().modelName(), own.config().modelName())) {
                continue;
            }
            float[] rows = unit(other);
            int best = -1;
            double bestCos = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < other.config().dSae(); j++) {
                double dot = 0;
                for (int p = 0; p < dIn; p++) {
                    dot += (double) row[index * dIn + p] * rows[j * dIn + p];
                }
                if (dot > bestCos) {
                    bestCos = dot;
                    best = j;
                }
            }
            out.add(new BestMatch(other.id(), best, Math.max(-1, Math.min(1, bestCos))));
        }
        return out;
    }

    private float[] unit(Sae sae) {
        return unitDecoders.computeIfAbsent(
                sae.id(),
                id -> FeatureMatching.unitRows(
                        sae.weights().wDec(), sae.config().dSae(), sae.config().dIn()));
    }
}
