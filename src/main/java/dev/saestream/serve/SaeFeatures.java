package dev.saestream.serve;

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
    private volatile long tokens;
    private volatile long updatedMs;

    SaeFeatures(String saeId) {
        this.saeId = saeId;
    }

    public String saeId() {
        return saeId;
    }

    void putFeature(FeatureEntry e) {
        features.put(e.index(), e);
        // tokensSeen is the SAE's total when the state was written: the largest is the latest known
        if (e.tokensSeen() > tokens) {
            tokens = e.tokensSeen();
        }
        if (e.updatedMs() > updatedMs) {
            updatedMs = e.updatedMs();
        }
        changed.add(e.index());
    }

    void removeFeature(int index) {
        features.remove(index);
        changed.add(index);
    }

    void putLabel(LabelEntry e) {
        labels.put(e.index(), e);
        changed.add(e.index());
    }

    void removeLabel(int index) {
        labels.remove(index);
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
