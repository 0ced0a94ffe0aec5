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

    /** Not persisted: set when changed since the last checkpoint. */
    transient boolean dirty;

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
        w.u8(1).varlong(activations).varlong(documents).varlong(windows).zigzag(sumFixed).f32(max)
                .varlong(version).varlong(updatedMs).varlong(emittedVersion).varlong(emittedActivations)
                .varlong(emittedAtMs).varint(topChanges).varint(emissions);
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
        return w.toByteArray();
    }

    static FeatureStats read(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        if (r.u8() != 1) {
            throw new IllegalArgumentException("unsupported feature stats version");
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
        return s;
    }
}
