package dev.saestream.serve;

import dev.saestream.label.Label;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** One SAE's features and labels in the view, written by the followers and read by requests. */
public final class SaeFeatures {
    private final String saeId;
    private final Map<Integer, FeatureEntry> features = new ConcurrentHashMap<>();
    private final Map<Integer, LabelEntry> labels = new ConcurrentHashMap<>();
    /** Indices whose state or label changed since {@link #drainChanged} last ran. */
    private final Set<Integer> changed = ConcurrentHashMap.newKeySet();
    /** Counts every put and remove of a state or label: what cached per-SAE answers compare against. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    private volatile long tokens;
    private volatile long updatedMs;
    /** The earliest update seen: when the catalogue was (re)built, as far as the compacted topic still tells. */
    private volatile long firstUpdatedMs;

    SaeFeatures(String saeId) {
        this.saeId = saeId;
    }

    public String saeId() {
        return saeId;
    }

    void putFeature(FeatureEntry e) {
        features.put(e.index(), e);
        generation.incrementAndGet();
        // tokensSeen is the SAE's total when the state was written: the largest is the latest known
        if (e.tokensSeen() > tokens) {
            tokens = e.tokensSeen();
        }
        if (e.updatedMs() > updatedMs) {
            updatedMs = e.updatedMs();
        }
        if (e.updatedMs() > 0 && (firstUpdatedMs == 0 || e.updatedMs() < firstUpdatedMs)) {
            firstUpdatedMs = e.updatedMs();
        }
        changed.add(e.index());
    }

    void removeFeature(int index) {
        features.remove(index);
        generation.incrementAndGet();
        changed.add(index);
    }

    void putLabel(LabelEntry e) {
        labels.put(e.index(), e);
        generation.incrementAndGet();
        changed.add(e.index());
    }

    void removeLabel(int index) {
        labels.remove(index);
        generation.incrementAndGet();
        changed.add(index);
    }

    FeatureEntry feature(int index) {
        return features.get(index);
    }

    LabelEntry label(int index) {
        return labels.get(index);
    }

    Collection<FeatureEntry> features() {
        return features.values();
    }

    Collection<LabelEntry> labels() {
        return labels.values();
    }

    /** Grows with every change of a state or label of this SAE. */
    long generation() {
        return generation.get();
    }

    public int featureCount() {
        return features.size();
    }

    /** Tokens the SAE's catalogue has seen, as its latest feature state says. */
    public long tokens() {
        return tokens;
    }

    public long updatedMs() {
        return updatedMs;
    }

    public long firstUpdatedMs() {
        return firstUpdatedMs;
    }

    /** Latest labels by who explained them, most labels first (ties by kind, provider, model). */
    Map<Label.ExplainerInfo, Long> explainers() {
        Map<Label.ExplainerInfo, Long> counts = new java.util.HashMap<>();
        for (LabelEntry l : labels.values()) {
            if (l.explainer() != null) {
                counts.merge(l.explainer(), 1L, Long::sum);
            }
        }
        Map<Label.ExplainerInfo, Long> out = new java.util.LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(java.util.Map.Entry.<Label.ExplainerInfo, Long>comparingByValue()
                        .reversed()
                        .thenComparing(e -> String.valueOf(e.getKey())))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Features whose latest label is ok, and failed. */
    long[] labelCounts() {
        long ok = 0;
        long failed = 0;
        for (LabelEntry l : labels.values()) {
            if (l.ok()) {
                ok++;
            } else {
                failed++;
            }
        }
        return new long[] {ok, failed};
    }

    /** The indices that changed since the last call, in order, and forgets them. */
    List<Integer> drainChanged() {
        List<Integer> out = new ArrayList<>();
        for (Integer i : new TreeSet<>(changed)) {
            changed.remove(i);
            out.add(i);
        }
        return out;
    }
}
