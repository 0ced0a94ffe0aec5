package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The catalogue's background sample ({@code saestream.background}) in memory, per SAE: the source
 * of non-activating examples and of background token frequencies. It is a bounded random sample,
 * so holding all of it is fine. A tombstone removes a window. Thread-safe.
 */
public final class BackgroundIndex {
    private final Map<String, BackgroundWindow> byKey = new HashMap<>();
    private final Map<String, Sae> bySae = new HashMap<>();

    /** Adds or replaces the window under {@code key}; a null window (a tombstone) removes it. */
    public synchronized void put(String key, BackgroundWindow window) {
        BackgroundWindow old = window == null ? byKey.remove(key) : byKey.put(key, window);
        if (old != null) {
            Sae sae = bySae.get(old.saeId());
            sae.windows.remove(key);
            sae.count(old, -1);
        }
        if (window != null) {
            Sae sae = bySae.computeIfAbsent(window.saeId(), s -> new Sae());
            sae.windows.put(key, window);
            sae.count(window, +1);
        }
    }

    /** Windows held, over every SAE. */
    public synchronized int size() {
        return byKey.size();
    }

    public synchronized int size(String saeId) {
        Sae sae = bySae.get(saeId);
        return sae == null ? 0 : sae.windows.size();
    }

    /**
     * Up to {@code n} of the SAE's windows that {@code accept} takes, chosen by a seeded hash of
     * their ids, so the same seed and the same background give the same choice.
     */
    public synchronized List<BackgroundWindow> sample(
            String saeId, Predicate<BackgroundWindow> accept, int n, long seed) {
        Sae sae = bySae.get(saeId);
        if (sae == null || n <= 0) {
            return List.of();
        }
        List<BackgroundWindow> chosen = new ArrayList<>();
        for (BackgroundWindow w : sae.windows.values()) {
            if (accept.test(w)) {
                chosen.add(w);
            }
        }
        chosen.sort(Comparator.comparingLong((BackgroundWindow w) -> Hashing.mix(seed, w.id()))
                .thenComparing(BackgroundWindow::id));
        return List.copyOf(chosen.subList(0, Math.min(n, chosen.size())));
    }

    /** The SAE's background token counts (normalised tokens, see {@link TokenStats#normalise}). */
    public synchronized TokenStats tokens(String saeId) {
        Sae sae = bySae.get(saeId);
        return sae == null ? TokenStats.EMPTY : new TokenStats(Map.copyOf(sae.tokenCounts), sae.tokenTotal);
    }

    /**
     * The share of the SAE's background windows from documents with facet value {@code value} (a window
     * without one counts as {@link dev.saestream.catalog.FeatureState.Facet#MISSING}): the baseline a
     * feature's facet counts are read against. NaN without windows.
     */
    public synchronized double facetShare(String saeId, String value) {
        Sae sae = bySae.get(saeId);
        if (sae == null || sae.windows.isEmpty()) {
            return Double.NaN;
        }
        return sae.facetCounts.getOrDefault(value, 0L) / (double) sae.windows.size();
    }

    private static final class Sae {
        final Map<String, BackgroundWindow> windows = new HashMap<>();
        final Map<String, Long> tokenCounts = new HashMap<>();
        final Map<String, Long> facetCounts = new HashMap<>();
        long tokenTotal;

        void count(BackgroundWindow w, int sign) {
            String facet = w.facet() == null ? dev.saestream.catalog.FeatureState.Facet.MISSING : w.facet();
            facetCounts.merge(facet, (long) sign, (a, b) -> a + b == 0 ? null : a + b);
            for (String t : w.tokens()) {
                String norm = TokenStats.normalise(t);
                if (norm.isEmpty()) {
                    continue;
                }
                tokenTotal += sign;
                tokenCounts.merge(norm, (long) sign, (a, b) -> a + b == 0 ? null : a + b);
            }
        }
    }
}
