package dev.saestream.serve;

import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A value's bytes kept compressed: a feature state is about 117 KB of JSON, mostly window tokens
 * and activations that compress several-fold, and only the page of one feature needs it whole.
 *
 * @param bytes  the deflated bytes
 * @param length the original length
 */
record Deflated(byte[] bytes, int length) {
    static Deflated of(byte[] raw) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(raw);
            d.finish();
            byte[] buf = new byte[Math.max(64, raw.length / 2)];
            int n = 0;
            while (!d.finished()) {
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
                n += d.deflate(buf, n, buf.length - n);
            }
            return new Deflated(java.util.Arrays.copyOf(buf, n), raw.length);
        } finally {
            d.end();
        }
    }

    byte[] inflate() {
        Inflater i = new Inflater();
        try {
            i.setInput(bytes);
            byte[] out = new byte[length];
            int n = 0;
            while (n < length && !i.finished()) {
                int got = i.inflate(out, n, length - n);
                if (got == 0 && (i.needsInput() || i.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != length) {
                throw new IllegalStateException("a stored value inflated to " + n + " bytes, expected " + length);
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalStateException("a stored value does not inflate: " + e.getMessage(), e);
        } finally {
            i.end();
        }
    }
}
