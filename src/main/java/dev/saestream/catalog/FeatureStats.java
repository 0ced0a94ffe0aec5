package dev.saestream.catalog;

import dev.saestream.formats.BinaryReader;
import dev.saestream.formats.BinaryWriter;

/**
 * One feature's running statistics, mutable and in memory on the shard that owns it; made
 * durable by {@link FeatureAggregator}'s log-and-checkpoint scheme. Also remembers what was last
 * emitted, to bound how often the feature is re-emitted.
 */
final class FeatureStats {
    long activations;
    long documents;
    long windows;
    long sumFixed;
    float max = Float.NEGATIVE_INFINITY;
    final long[] histogram = new long[ActivationHistogram.SIZE];
    long version;
    long updatedMs;

    long emittedVersion;
    long emittedActivations;
    long emittedAtMs;
    /** Top windows replaced since the last emission. */
    int topChanges;
    /** Times this feature was emitted: the wait before the next emission doubles with each. */
    int emissions;
    /** The version whose statistics alone were last emitted (on saestream.feature-stats), and when. */
    long statsEmittedVersion;

    long statsEmittedAtMs;

    /** The metadata field {@link #facet} counts by; null until a facet value is counted. */
    String facetField;
    /** Activations per facet value, for the first values met, in the order met; counted in place (one lookup). */
    final java.util.LinkedHashMap<String, long[]> facet = new java.util.LinkedHashMap<>();
    /** Activations under values met once {@link #facet} was full. */
    long facetOther;

    /** Not persisted: set when changed since the last checkpoint. */
    transient boolean dirty;

    /**
     * Counts {@code activations} under {@code value} of {@code field} ({@link FeatureState.Facet#MISSING} when null):
     * exactly for the first {@code maxValues} distinct values, under "other" for any later new one. First met, not
     * most frequent, so that the counts are exact and the same on every replay of the same input.
     */
    void countFacet(String field, String value, long activations, int maxValues) {
        facetField = field;
        String v = value == null ? FeatureState.Facet.MISSING : value;
        long[] count = facet.get(v);
        if (count != null) {
            count[0] += activations;
        } else if (facet.size() < maxValues) {
            facet.put(v, new long[] {activations});
        } else {
            facetOther += activations;
        }
    }

    /** The facet as a feature state shows it: most activations first (ties by value), "other" last; null without one. */
    FeatureState.Facet facetState() {
        if (facetField == null) {
            return null;
        }
        java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
        facet.entrySet().stream()
                .sorted(java.util.Comparator.<java.util.Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                        .thenComparing(java.util.Map.Entry.comparingByKey()))
                .forEach(e -> counts.put(e.getKey(), e.getValue()[0]));
        if (facetOther > 0) {
            counts.merge(FeatureState.Facet.OTHER, facetOther, Long::sum);
        }
        return new FeatureState.Facet(facetField, counts);
    }

    void add(FeatureDelta d, long timestamp) {
        activations += d.activations();
        documents++;
        windows += d.windows();
        sumFixed = Math.addExact(sumFixed, d.sumFixed());
        max = Math.max(max, d.max());
        for (int b = 0; b < d.bins().length; b++) {
            histogram[d.bins()[b]] += d.binCounts()[b];
        }
        version++;
        updatedMs = Math.max(updatedMs, timestamp);
        dirty = true;
    }

    boolean emittedCurrent() {
        return emittedVersion == version && topChanges == 0;
    }

    byte[] write() {
        BinaryWriter w = new BinaryWriter(96);
        w.u8(3)
                .varlong(activations)
                .varlong(documents)
                .varlong(windows)
                .zigzag(sumFixed)
                .f32(max)
                .varlong(version)
                .varlong(updatedMs)
                .varlong(emittedVersion)
                .varlong(emittedActivations)
                .varlong(emittedAtMs)
                .varint(topChanges)
                .varint(emissions);
        int nonZero = 0;
        for (long c : histogram) {
            nonZero += c != 0 ? 1 : 0;
        }
        w.varint(nonZero);
        for (int b = 0; b < histogram.length; b++) {
            if (histogram[b] != 0) {
                w.varint(b).varlong(histogram[b]);
            }
        }
        w.string(facetField == null ? "" : facetField).varint(facet.size());
        facet.forEach((value, count) -> w.string(value).varlong(count[0]));
        w.varlong(facetOther);
        w.varlong(statsEmittedVersion).varlong(statsEmittedAtMs);
        return w.toByteArray();
    }

    static FeatureStats read(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int version = r.u8();
        if (version < 1 || version > 3) {
            throw new IllegalArgumentException("unsupported feature stats version " + version);
        }
        FeatureStats s = new FeatureStats();
        s.activations = r.varlong();
        s.documents = r.varlong();
        s.windows = r.varlong();
        s.sumFixed = r.zigzag();
        s.max = r.f32();
        s.version = r.varlong();
        s.updatedMs = r.varlong();
        s.emittedVersion = r.varlong();
        s.emittedActivations = r.varlong();
        s.emittedAtMs = r.varlong();
        s.topChanges = r.varint();
        s.emissions = r.varint();
        int n = r.count(2);
        for (int i = 0; i < n; i++) {
            int b = r.varint();
            if (b >= s.histogram.length) {
                throw new IllegalArgumentException("histogram bin " + b + " out of range");
            }
            s.histogram[b] = r.varlong();
        }
        if (version >= 2) {
            String field = r.string();
            s.facetField = field.isEmpty() ? null : field;
            int values = r.count(2);
            for (int i = 0; i < values; i++) {
                s.facet.put(r.string(), new long[] {r.varlong()});
            }
            s.facetOther = r.varlong();
        }
        if (version >= 3) {
            s.statsEmittedVersion = r.varlong();
            s.statsEmittedAtMs = r.varlong();
        }
        return s;
    }
}
