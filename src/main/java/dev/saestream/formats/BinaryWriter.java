package dev.saestream.formats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable little-endian byte writer with LEB128 varints (as protobuf and Kafka spell them),
 * for saestream's compact binary record formats.
 */
public final class BinaryWriter {
    private byte[] buf;
    private int pos;

    public BinaryWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    public BinaryWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    /** Unsigned LEB128 of a non-negative long. */
    public BinaryWriter varlong(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("varlong must be non-negative, got " + v);
        }
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return this;
    }

    public BinaryWriter varint(int v) {
        return varlong(v);
    }

    /** Zig-zag then LEB128: small magnitudes of either sign stay small. */
    public BinaryWriter zigzag(long v) {
        return varlong((v << 1) ^ (v >> 63));
    }

    public BinaryWriter i16(short v) {
        ensure(2);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
        return this;
    }

    public BinaryWriter i32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public BinaryWriter i64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public BinaryWriter f32(float v) {
        return i32(Float.floatToRawIntBits(v));
    }

    public BinaryWriter f64(double v) {
        return i64(Double.doubleToRawLongBits(v));
    }

    /** Length-prefixed UTF-8. */
    public BinaryWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length);
        return bytes(b);
    }

    public BinaryWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    public int size() {
        return pos;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
