package dev.saestream.catalog;

import dev.saestream.sae.ByValueDescending;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the window stores. Rank keys are built so that byte order is rank order: a feature's
 * top windows sort best first, its reservoir by sampling key, the background by sampling key.
 * The background store is keyed by them, so its worst entry is its last key. A feature's samples
 * are stored in slots instead ({@link #slot}), each value carrying its rank key after the prefix:
 * a window that takes the place of the worst is then one write where a rank-keyed store needs a
 * put and a delete, and both are changelog records.
 * Strings are UTF-8 with 0x00 escaped as 0x00 0xFF and ended by 0x00, which keeps their order.
 */
final class WindowKeys {
    static final byte TOP = 0;
    static final byte RESERVOIR = 1;

    private WindowKeys() {}

    /** All windows of one kind of one feature share this prefix. */
    static Bytes prefix(String saeId, int feature, byte kind) {
        Builder out = new Builder(48);
        out.string(saeId);
        out.int32(feature);
        out.write(kind);
        return out.bytes();
    }

    /** The store key of slot {@code slot} of the sample whose keys start with {@code prefix}. */
    static Bytes slot(Bytes prefix, int slot) {
        Builder out = new Builder(prefix.get().length + 4);
        out.writeBytes(prefix.get());
        out.int32(slot);
        return out.bytes();
    }

    /** What a slot key says: its sample's SAE, feature and kind, and the slot. */
    record Slot(String saeId, int feature, byte kind, int slot) {}

    static Slot parseSlot(Bytes key) {
        byte[] b = key.get();
        int[] at = {0};
        String sae = unstring(b, at);
        int i = at[0];
        if (b.length != i + 9) {
            throw new StateFormatException("a stored window keyed by rank, not by slot (" + b.length + " bytes)");
        }
        return new Slot(sae, int32(b, i), b[i + 4], int32(b, i + 5));
    }

    /** The rank key of a window stored under {@code slotKey} whose value holds {@code rank} (the key after the prefix). */
    static Bytes rankKey(Bytes slotKey, byte[] rank) {
        byte[] s = slotKey.get();
        byte[] out = Arrays.copyOf(s, s.length - 4 + rank.length);
        System.arraycopy(rank, 0, out, s.length - 4, rank.length);
        return Bytes.wrap(out);
    }

    /** What follows the first {@code prefixLength} bytes of a rank key: the part a stored window carries. */
    static byte[] rank(Bytes rankKey, int prefixLength) {
        byte[] b = rankKey.get();
        return Arrays.copyOfRange(b, prefixLength, b.length);
    }

    private static int int32(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    /** The first key after every key with {@code prefix}'s kind. */
    static Bytes upperBound(Bytes prefix) {
        byte[] b = prefix.get().clone();
        b[b.length - 1]++;
        return Bytes.wrap(b);
    }

    static Bytes top(String saeId, int feature, String doc, float max, int peak) {
        return top(prefix(saeId, feature, TOP), doc, max, peak);
    }

    /** A top key after its feature's {@link #prefix}, which the caller keeps rather than rebuilds per window. */
    static Bytes top(Bytes prefix, String doc, float max, int peak) {
        Builder out = new Builder(prefix.get().length + doc.length() + 10);
        out.writeBytes(prefix.get());
        out.int32(topRank(max));
        out.string(doc);
        out.int32(peak);
        return out.bytes();
    }

    /** A top key's first field: in unsigned order, higher activations first. */
    static int topRank(float max) {
        // keys compare as unsigned bytes: move the signed rank's order there
        return ByValueDescending.rank(max) ^ Integer.MIN_VALUE;
    }

    /** The first field of a top key ({@link #topRank(float)}) after a prefix of {@code prefixLength} bytes. */
    static int topRank(Bytes key, int prefixLength) {
        byte[] b = key.get();
        return (b[prefixLength] & 0xFF) << 24
                | (b[prefixLength + 1] & 0xFF) << 16
                | (b[prefixLength + 2] & 0xFF) << 8
                | (b[prefixLength + 3] & 0xFF);
    }

    /** The sample key a reservoir key starts with, after a prefix of {@code prefixLength} bytes (unsigned order). */
    static long reservoirRank(Bytes key, int prefixLength) {
        return (long) topRank(key, prefixLength) << 32 | (topRank(key, prefixLength + 4) & 0xFFFFFFFFL);
    }

    static Bytes reservoir(String saeId, int feature, String doc, int peak, long sampleKey) {
        return reservoir(prefix(saeId, feature, RESERVOIR), doc, peak, sampleKey);
    }

    /** A reservoir key after its feature's {@link #prefix}. */
    static Bytes reservoir(Bytes prefix, String doc, int peak, long sampleKey) {
        Builder out = new Builder(prefix.get().length + doc.length() + 14);
        out.writeBytes(prefix.get());
        out.int64(sampleKey);
        out.string(doc);
        out.int32(peak);
        return out.bytes();
    }

    /** The key of a document's pieces in the documents store: one per (SAE, document), since pieces depend on the tokenizer. */
    static String document(String saeId, String doc) {
        return saeId + "\u0000" + doc;
    }

    /** What a window key says (the inverse of {@link #top} and {@link #reservoir}). */
    record Parts(String saeId, int feature, byte kind, String doc) {
        /** The {@link #document} key of the window's document. */
        String documentKey() {
            return document(saeId, doc);
        }
    }

    static Parts parse(Bytes key) {
        byte[] b = key.get();
        int[] at = {0};
        String sae = unstring(b, at);
        int i = at[0];
        int feature = (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
        byte kind = b[i + 4];
        at[0] = i + 5 + (kind == TOP ? 4 : 8);
        return new Parts(sae, feature, kind, unstring(b, at));
    }

    private static String unstring(byte[] b, int[] at) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        int i = at[0];
        while (true) {
            if (b[i] == 0) {
                if (i + 1 < b.length && (b[i + 1] & 0xFF) == 0xFF) {
                    out.write(0);
                    i += 2;
                    continue;
                }
                at[0] = i + 1;
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(b[i++]);
        }
    }

    /**
     * Store order (unsigned lexicographic) for keys that all share their first {@code prefix}
     * bytes, as one sample's keys do: compares from there, and with the JDK's vectorised mismatch
     * rather than Kafka's byte loop. A sample's tree compares on every insert and eviction.
     */
    static Comparator<Bytes> orderAfter(int prefix) {
        return (a, b) -> Arrays.compareUnsigned(a.get(), prefix, a.get().length, b.get(), prefix, b.get().length);
    }

    static Bytes backgroundPrefix(String saeId) {
        Builder out = new Builder(32);
        out.string(saeId);
        return out.bytes();
    }

    static Bytes background(String saeId, BackgroundWindow w, long sampleKey) {
        Builder out = new Builder(64);
        out.writeBytes(backgroundPrefix(saeId).get());
        out.int64(sampleKey);
        out.string(w.doc());
        out.int32(w.first());
        return out.bytes();
    }

    /** Background prefixes end in a string terminator; the bound is the same bytes with the terminator raised. */
    static Bytes backgroundUpperBound(String saeId) {
        return upperBound(backgroundPrefix(saeId));
    }

    /**
     * Appends key fields to a growing array: keys are built for every window that enters a sample,
     * and ByteArrayOutputStream locks on every byte.
     */
    private static final class Builder {
        private byte[] buf;
        private int size;

        Builder(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void writeBytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            ensure(utf8.length + 1);
            for (byte b : utf8) {
                if (b == 0) {
                    buf[size++] = 0;
                    write(0xFF);
                } else {
                    buf[size++] = b;
                }
            }
            write(0);
        }

        void int32(int v) {
            ensure(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        void int64(long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        Bytes bytes() {
            return Bytes.wrap(size == buf.length ? buf : Arrays.copyOf(buf, size));
        }
    }
}
