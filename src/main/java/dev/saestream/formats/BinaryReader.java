package dev.saestream.formats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link BinaryWriter} wrote; any overrun or malformed varint is an {@link IllegalArgumentException}. */
public final class BinaryReader {
    private final byte[] buf;
    private int pos;
    private final int end;

    public BinaryReader(byte[] buf) {
        this.buf = buf;
        this.end = buf.length;
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new IllegalArgumentException(
                    "record is truncated: needs " + n + " more bytes at offset " + pos + " of " + end);
        }
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public long varlong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("malformed varint at offset " + pos);
    }

    public int varint() {
        long v = varlong();
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("varint " + v + " at offset " + pos + " does not fit an int");
        }
        return (int) v;
    }

    public long zigzag() {
        long v = varlong();
        return (v >>> 1) ^ -(v & 1);
    }

    public short i16() {
        need(2);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return (short) v;
    }

    public int i32() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (buf[pos++] & 0xFF) << (8 * i);
        }
        return v;
    }

    public long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) (buf[pos++] & 0xFF) << (8 * i);
        }
        return v;
    }

    public float f32() {
        return Float.intBitsToFloat(i32());
    }

    public double f64() {
        return Double.longBitsToDouble(i64());
    }

    public String string() {
        int n = varint();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** The next {@code n} bytes, copied. */
    public byte[] bytes(int n) {
        need(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A count that must be plausible for the bytes left (each item takes at least {@code minBytes}). */
    public int count(int minBytes) {
        int n = varint();
        if ((long) n * Math.max(1, minBytes) > end - pos) {
            throw new IllegalArgumentException("count " + n + " at offset " + pos + " exceeds what the record holds");
        }
        return n;
    }

    public boolean atEnd() {
        return pos == end;
    }

    public int position() {
        return pos;
    }
}
