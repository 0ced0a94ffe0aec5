package dev.saestream.formats;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, version 1.0: magic, a little-endian header length, a Python-dict
 * header ({@code descr}, {@code fortran_order}, {@code shape}) padded so data starts on a 64-byte
 * boundary, then the raw little-endian data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Header size reserved by {@link Writer}, so the row count can be patched in place at close. */
    private static final int STREAMING_HEADER_BYTES = 128;

    private Npy() {}

    public static void writeFloats(Path path, float[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        write(path, "<f4", shape, body.array());
    }

    public static void writeInts(Path path, int[] data, int... shape) throws IOException {
        checkSize(data.length, shape);
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asIntBuffer().put(data);
        write(path, "<i4", shape, body.array());
    }

    private static void write(Path path, String descr, int[] shape, byte[] body) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(header(descr, shape, 0));
            out.write(body);
        }
    }

    public static NpyArray read(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    public static NpyArray read(InputStream in, String name) throws IOException {
        byte[] pre = in.readNBytes(10);
        if (pre.length < 10 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
            throw new IOException(name + " is not a .npy file (bad magic)");
        }
        int major = pre[6];
        int headerLen;
        if (major == 1) {
            headerLen = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] more = in.readNBytes(2);
            headerLen = (pre[8] & 0xff) | (pre[9] & 0xff) << 8 | (more[0] & 0xff) << 16 | (more[1] & 0xff) << 24;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if ("True".equals(group(FORTRAN, header, name, "fortran_order"))) {
            throw new IOException(name + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        int[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        int itemSize = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f2" -> 2;
            case "<f8", "<i8" -> 8;
            default ->
                throw new IOException(name + ": unsupported dtype " + descr + " (want <f4, <f2, <f8, <i4 or <i8)");
        };
        if (n * itemSize > Integer.MAX_VALUE - 16) {
            throw new IOException(name + ": array of " + n + " values is too large to load at once");
        }
        byte[] raw = in.readNBytes((int) (n * itemSize));
        if (raw.length != n * itemSize) {
            throw new IOException(
                    name + " is truncated: header promises " + n * itemSize + " data bytes, found " + raw.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) n;
        switch (descr) {
            case "<f4" -> {
                float[] f = new float[count];
                buf.asFloatBuffer().get(f);
                return new NpyArray(descr, shape, f, null);
            }
            case "<f2" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = HalfFloat.toFloat(buf.getShort(2 * i));
                }
                return new NpyArray(descr, shape, f, null);
            }
            case "<f8" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) {
                    f[i] = (float) buf.getDouble(8 * i);
                }
                return new NpyArray(descr, shape, f, null);
            }
            case "<i4" -> {
                int[] v = new int[count];
                buf.asIntBuffer().get(v);
                return new NpyArray(descr, shape, null, v);
            }
            default -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) {
                    v[i] = Math.toIntExact(buf.getLong(8 * i));
                }
                return new NpyArray(descr, shape, null, v);
            }
        }
    }

    /**
     * Writes a float32 matrix of a fixed width row by row, without knowing the row count up front:
     * the header reserves room and is rewritten with the final shape on {@link #close}.
     */
    public static final class Writer implements AutoCloseable {
        private final FileChannel channel;
        private final int width;
        private long rows;
        private final ByteBuffer buffer;

        public Writer(Path path, int width) throws IOException {
            if (width <= 0) {
                throw new IllegalArgumentException("width must be positive, got " + width);
            }
            this.channel = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            this.width = width;
            this.buffer = ByteBuffer.allocate(Math.max(1 << 16, width * 4)).order(ByteOrder.LITTLE_ENDIAN);
            channel.write(ByteBuffer.wrap(header("<f4", new int[] {0, width}, STREAMING_HEADER_BYTES)));
        }

        /** Appends rows given row-major in {@code data} ({@code data.length} a multiple of the width). */
        public void append(float[] data, int offset, int length) throws IOException {
            if (length % width != 0) {
                throw new IllegalArgumentException("length " + length + " is not a multiple of the width " + width);
            }
            for (int i = 0; i < length; i++) {
                if (buffer.remaining() < 4) {
                    flush();
                }
                buffer.putFloat(data[offset + i]);
            }
            rows += length / width;
        }

        public long rows() {
            return rows;
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            try {
                flush();
                channel.write(
                        ByteBuffer.wrap(
                                header("<f4", new int[] {Math.toIntExact(rows), width}, STREAMING_HEADER_BYTES)),
                        0);
            } finally {
                channel.close();
            }
        }
    }

    /** Magic, version 1.0, header length and the padded header dict; {@code totalBytes} 0 means "as small as fits". */
    private static byte[] header(String descr, int[] shape, int totalBytes) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        int total = totalBytes > 0 ? totalBytes : (unpadded + 63) / 64 * 64;
        if (total < unpadded) {
            throw new IllegalStateException("npy header does not fit in " + total + " bytes");
        }
        StringBuilder padded = new StringBuilder(dict);
        while (MAGIC.length + 4 + padded.length() + 1 < total) {
            padded.append(' ');
        }
        padded.append('\n');
        int len = padded.length();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + len).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) len);
        b.put(padded.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static String group(Pattern p, String header, String name, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(name + ": .npy header has no '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static int[] parseShape(String s, String name) throws IOException {
        String[] parts = s.split(",");
        int count = 0;
        int[] shape = new int[parts.length];
        for (String p : parts) {
            String t = p.strip();
            if (t.isEmpty()) {
                continue;
            }
            try {
                shape[count++] = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new IOException(name + ": bad shape (" + s + ")");
            }
        }
        return Arrays.copyOf(shape, count);
    }

    private static void checkSize(int length, int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + length);
        }
    }
}
