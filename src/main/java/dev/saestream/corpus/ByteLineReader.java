package dev.saestream.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an input stream line by line as raw bytes, so each line can be checked for valid UTF-8
 * and kept byte-exact. A trailing CR before the LF is dropped. Lines longer than a limit are not
 * buffered whole: their first bytes are kept for the dead letter and the rest is skipped.
 */
final class ByteLineReader {
    /** One line: the bytes kept, the full length, and whether it was cut at the limit. */
    record Line(byte[] bytes, long length, boolean overLimit, long number) {}

    private final InputStream in;
    private final int limit;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private long number;

    ByteLineReader(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /** The next line, or null at end of input. */
    Line next() throws IOException {
        byte[] line = new byte[256];
        int size = 0;
        long length = 0;
        boolean sawAny = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
            }
            sawAny = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            int keep = (int) Math.min(n, Math.max(0, (long) limit + 1 - size));
            if (keep > 0) {
                if (size + keep > line.length) {
                    line = Arrays.copyOf(line, Math.max(size + keep, line.length * 2));
                }
                System.arraycopy(buf, start, line, size, keep);
                size += keep;
            }
            length += n;
            if (pos < end) {
                pos++; // the LF
                break;
            }
        }
        number++;
        if (length <= limit && size > 0 && line[size - 1] == '\r') {
            size--;
            length--;
        }
        boolean over = length > limit;
        return new Line(Arrays.copyOf(line, Math.min(size, limit)), length, over, number);
    }
}
