package dev.saestream.encode;

import dev.saestream.formats.BinaryReader;
import dev.saestream.formats.BinaryWriter;
import dev.saestream.formats.HalfFloat;
import dev.saestream.sae.ByValueDescending;
import dev.saestream.sae.SparseCode;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The binary value format of {@code saestream.codes} (documented in {@code topics/schemas/codes.md}):
 * varints everywhere, feature indices delta-coded in ascending order, activation values as IEEE
 * half floats by default (the catalogue's sums are exact over them), float32 on request.
 */
public final class CodesFormat {
    static final int MAGIC_0 = 'S';
    static final int MAGIC_1 = 'C';
    static final int VERSION = 1;
    /**
     * Feature indices are below this (67,108,864, past the widest published SAEs): the catalog sizes
     * arrays by the largest index in a document, so a corrupt one must not ask for gigabytes.
     */
    public static final int MAX_FEATURES = 1 << 26;

    static final int FLAG_FLOAT32 = 1;
    /** A metadata field and its value follow the document id; records without it read as before. */
    static final int FLAG_FACET = 2;
    /** Largest finite half float: activations beyond are clamped to it and counted. */
    public static final float HALF_MAX = 65504f;

    /** How activation values are stored. */
    public enum Precision {
        HALF,
        FLOAT
    }

    private CodesFormat() {}

    public static byte[] write(DocumentCodes d, Precision precision) {
        BinaryWriter w = new BinaryWriter(64 + d.size() * 96);
        boolean facet = d.facetField() != null && d.facetValue() != null;
        w.u8(MAGIC_0)
                .u8(MAGIC_1)
                .u8(VERSION)
                .varint((precision == Precision.FLOAT ? FLAG_FLOAT32 : 0) | (facet ? FLAG_FACET : 0));
        w.string(d.saeId()).string(d.docId());
        if (facet) {
            w.string(d.facetField()).string(d.facetValue());
        }
        int n = d.size();
        w.varint(n);
        for (int i = 0; i < n; i++) {
            w.string(d.tokens()[i]).string(d.pieces()[i]).varint(d.gaps()[i]);
        }
        w.string(d.tail());
        int[] order = new int[0];
        for (SparseCode c : d.codes()) {
            int k = c.size();
            if (order.length < k) {
                order = new int[k];
            }
            sortByIndex(c, order);
            w.varint(k);
            int prev = 0;
            for (int j = 0; j < k; j++) {
                int idx = c.indices()[order[j]];
                w.varint(idx - prev);
                prev = idx;
            }
            for (int j = 0; j < k; j++) {
                float v = c.values()[order[j]];
                if (precision == Precision.FLOAT) {
                    w.f32(v);
                } else {
                    w.i16(HalfFloat.fromFloat(v));
                }
            }
        }
        ReconstructionStats s = d.stats();
        w.varint(s.tokens())
                .f64(s.squaredError())
                .f64(s.squaredNorm())
                .f64(s.cosineSum())
                .varint(s.clamped());
        return w.toByteArray();
    }

    public static DocumentCodes read(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        if (r.u8() != MAGIC_0 || r.u8() != MAGIC_1) {
            throw new IllegalArgumentException("not a saestream codes record (bad magic)");
        }
        int version = r.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "codes format version " + version + " is not supported (this build reads " + VERSION + ")");
        }
        int flags = r.varint();
        boolean float32 = (flags & FLAG_FLOAT32) != 0;
        String saeId = r.string();
        String docId = r.string();
        String facetField = (flags & FLAG_FACET) != 0 ? r.string() : null;
        String facetValue = facetField != null ? r.string() : null;
        int n = r.count(3);
        String[] tokens = new String[n];
        String[] pieces = new String[n];
        int[] gaps = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = r.string();
            pieces[i] = r.string();
            gaps[i] = r.varint();
        }
        String tail = r.string();
        SparseCode[] codes = new SparseCode[n];
        for (int i = 0; i < n; i++) {
            int k = r.count(float32 ? 5 : 3);
            int[] idx = new int[k];
            float[] val = new float[k];
            int prev = 0;
            for (int j = 0; j < k; j++) {
                prev += r.varint();
                if (prev < 0 || prev >= MAX_FEATURES) {
                    throw new IllegalArgumentException("feature index " + Integer.toUnsignedString(prev)
                            + " out of range (at most " + (MAX_FEATURES - 1) + ")");
                }
                idx[j] = prev;
            }
            for (int j = 0; j < k; j++) {
                val[j] = float32 ? r.f32() : HalfFloat.toFloat(r.i16());
            }
            codes[i] = sortedByValue(idx, val);
        }
        ReconstructionStats stats = new ReconstructionStats(r.varint(), r.f64(), r.f64(), r.f64(), r.varint());
        if (!r.atEnd()) {
            throw new IllegalArgumentException("codes record has " + (bytes.length - r.position()) + " trailing bytes");
        }
        return new DocumentCodes(saeId, docId, tokens, pieces, gaps, tail, codes, stats, facetField, facetValue);
    }

    /**
     * A code as it will read back at {@code precision}: values rounded (and clamped to ±{@link
     * #HALF_MAX} for half floats), zeros dropped, re-sorted. Returns how many values were clamped
     * through {@code clamped[0]} when given.
     */
    public static SparseCode round(SparseCode c, Precision precision, int[] clamped) {
        if (precision == Precision.FLOAT) {
            return c;
        }
        int k = c.size();
        int[] idx = new int[k];
        float[] val = new float[k];
        int m = 0;
        for (int j = 0; j < k; j++) {
            float v = c.values()[j];
            if (Math.abs(v) > HALF_MAX) {
                v = Math.copySign(HALF_MAX, v);
                if (clamped != null) {
                    clamped[0]++;
                }
            }
            float h = HalfFloat.toFloat(HalfFloat.fromFloat(v));
            if (h != 0f) {
                idx[m] = c.indices()[j];
                val[m++] = h;
            }
        }
        return sortedByValue(Arrays.copyOf(idx, m), Arrays.copyOf(val, m));
    }

    /** Sorts (index, value) pairs by value descending, ties by index ascending. */
    static SparseCode sortedByValue(int[] idx, float[] val) {
        int k = idx.length;
        long[] keys = new long[k];
        for (int j = 0; j < k; j++) {
            keys[j] = ByValueDescending.key(val[j], idx[j]);
        }
        return SparseCode.ofKeys(keys, k);
    }

    private static void sortByIndex(SparseCode c, int[] order) {
        int k = c.size();
        for (int j = 0; j < k; j++) {
            order[j] = j;
        }
        int[] idx = c.indices();
        // insertion sort: k is small (tens) and often nearly sorted
        for (int a = 1; a < k; a++) {
            int o = order[a];
            int b = a - 1;
            while (b >= 0 && idx[order[b]] > idx[o]) {
                order[b + 1] = order[b];
                b--;
            }
            order[b + 1] = o;
        }
        for (int j = 1; j < k; j++) {
            if (idx[order[j]] == idx[order[j - 1]]) {
                throw new IllegalArgumentException("feature " + idx[order[j]] + " appears twice in one token's code");
            }
        }
    }

    /** Kafka serde for {@code saestream.codes}; malformed bytes raise {@link SerializationException}. */
    public static Serde<DocumentCodes> serde(Precision precision) {
        Serializer<DocumentCodes> ser = (topic, d) -> d == null ? null : write(d, precision);
        Deserializer<DocumentCodes> de = (topic, b) -> {
            if (b == null) {
                return null;
            }
            try {
                return read(b);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("malformed codes record on " + topic + ": " + e.getMessage(), e);
            }
        };
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(ser, de);
    }
}
