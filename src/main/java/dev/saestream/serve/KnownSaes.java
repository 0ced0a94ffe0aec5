package dev.saestream.serve;

import dev.saestream.label.SimilarFeatures;
import dev.saestream.sae.Sae;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SAEs whose weights this server has: their width (so dead features can be counted) and their
 * decoder directions (nearest features). Other SAEs in the catalogue are shown without either.
 */
public final class KnownSaes {
    private final Map<String, Sae> byId = new ConcurrentHashMap<>();
    private final Map<String, SimilarFeatures> similar = new ConcurrentHashMap<>();

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
}
