package dev.saestream.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's safetensors format: an 8-byte little-endian header length, a JSON header mapping
 * each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the
 * byte buffer after the header) plus an optional {@code __metadata__} string map, then the
 * little-endian data. Floating tensors (F32, F16, BF16, F64) are read as float32; writing is F32.
 * Every offset is checked against the shape and the file length, so a truncated file or a header
 * that lies about sizes is refused with the tensor's name.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "__metadata__";
    /** The format caps the header at 100 MB; anything larger is not a safetensors file. */
    private static final long MAX_HEADER = 100_000_000L;

    private Safetensors() {}

    /** One tensor, row-major, upcast to float32; {@code dtype} is the stored one (F32, F16, BF16, F64). */
    public record Tensor(String dtype, int[] shape, float[] values) {
        public Tensor {
            if (dtype == null || shape == null || values == null) {
                throw new IllegalArgumentException("dtype, shape and values must not be null");
            }
            long n = elements(shape);
            if (n != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
            }
        }

        public static Tensor f32(float[] values, int... shape) {
            return new Tensor("F32", shape.clone(), values);
        }

        public int rank() {
            return shape.length;
        }
    }

    /** The tensors of a file, in header order, and its {@code __metadata__} (empty when absent). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Map.copyOf(metadata);
        }
    }

    public static Contents read(Path path) throws IOException {
        String name = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new IOException(name + " is not a safetensors file: " + size + " bytes, too short for a header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, name);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new IOException(name + " is not a valid safetensors file: header length " + headerLen
                        + " does not fit the file's " + size + " bytes (truncated or corrupt)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8, name);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new IOException(name + ": safetensors header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw new IOException(name + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (METADATA.equals(e.getKey())) {
                    e.getValue()
                            .fields()
                            .forEachRemaining(
                                    m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.add(entry(name, e.getKey(), e.getValue(), dataLen));
            }
            checkLayout(name, entries, dataLen);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry en : entries) {
                ByteBuffer raw =
                        ByteBuffer.allocate(Math.toIntExact(en.end - en.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, raw, dataStart + en.begin, name);
                tensors.put(en.name, new Tensor(en.dtype, en.shape, decode(en.dtype, raw)));
            }
            return new Contents(tensors, metadata);
        }
    }

    /** Writes every tensor as F32, in the map's order, with optional string metadata. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // pad with spaces so the data starts 8-byte aligned, as the reference implementation does
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        try (OutputStream out = Files.newOutputStream(path)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            out.write(len.array());
            out.write(headerBytes);
            for (Tensor t : tensors.values()) {
                ByteBuffer body = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
                body.asFloatBuffer().put(t.values());
                out.write(body.array());
            }
        }
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private static Entry entry(String file, String tensor, JsonNode node, long dataLen) throws IOException {
        String where = file + ": tensor '" + tensor + "'";
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtypeNode == null
                || shapeNode == null
                || !shapeNode.isArray()
                || offsets == null
                || !offsets.isArray()
                || offsets.size() != 2) {
            throw new IOException(where + " needs dtype, shape and two data_offsets in the header");
        }
        String dtype = dtypeNode.asText();
        int itemSize = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64" -> 8;
            default ->
                throw new IOException(where + " has dtype " + dtype + "; only F32, F16, BF16 and F64 are supported");
        };
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = shapeNode.get(i).asLong(-1);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException(where + " has an invalid dimension " + shapeNode.get(i));
            }
            shape[i] = (int) d;
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long expected = elements(shape) * itemSize;
        if (begin < 0 || end < begin) {
            throw new IOException(where + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end - begin != expected) {
            throw new IOException(where + ": header says " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        if (end > dataLen) {
            throw new IOException(where + " ends at byte " + end + " of the data but the file holds only " + dataLen
                    + " data bytes (truncated or corrupt)");
        }
        if (expected > Integer.MAX_VALUE - 16) {
            throw new IOException(where + " is too large to load at once (" + expected + " bytes)");
        }
        return new Entry(tensor, dtype, shape, begin, end);
    }

    /** Tensors must not overlap; the format also forbids holes, which would hide a lying header. */
    private static void checkLayout(String file, List<Entry> entries, long dataLen) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin != at) {
                throw new IOException(
                        file + ": tensor '" + e.name + "' starts at byte " + e.begin + " but the previous data ends at "
                                + at + " (overlapping or missing data; the header is corrupt)");
            }
            at = e.end;
        }
        if (at != dataLen) {
            throw new IOException(file + ": the header describes " + at + " data bytes but the file holds " + dataLen
                    + " (truncated, padded or corrupt)");
        }
    }

    private static float[] decode(String dtype, ByteBuffer raw) {
        raw.rewind();
        switch (dtype) {
            case "F32" -> {
                float[] f = new float[raw.capacity() / 4];
                raw.asFloatBuffer().get(f);
                return f;
            }
            case "F16" -> {
                float[] f = new float[raw.capacity() / 2];
                for (int i = 0; i < f.length; i++) {
                    f[i] = HalfFloat.toFloat(raw.getShort(2 * i));
                }
                return f;
            }
            case "BF16" -> {
                float[] f = new float[raw.capacity() / 2];
                for (int i = 0; i < f.length; i++) {
                    f[i] = HalfFloat.bf16ToFloat(raw.getShort(2 * i));
                }
                return f;
            }
            default -> {
                float[] f = new float[raw.capacity() / 8];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) raw.getDouble(8 * i);
                }
                return f;
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String name) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(name + " is truncated at byte " + pos);
            }
            pos += n;
        }
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
