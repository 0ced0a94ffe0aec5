package dev.saestream.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.formats.Safetensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadIsExact() throws IOException {
        // given
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W", Tensor.f32(new float[] {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, 3.25f}, 2, 3));
        tensors.put("b", Tensor.f32(new float[] {7f}, 1));
        Path p = dir.resolve("a.safetensors");

        // when
        Safetensors.write(p, tensors, Map.of("format", "pt"));
        Safetensors.Contents back = Safetensors.read(p);

        // then
        assertThat(back.tensors().keySet()).containsExactly("W", "b");
        assertThat(back.tensors().get("W").shape()).containsExactly(2, 3);
        assertThat(back.tensors().get("W").values())
                .containsExactly(tensors.get("W").values());
        assertThat(back.metadata()).containsEntry("format", "pt");
        assertThat((Files.size(p) - 8 - 4 * 7) % 8)
                .as("data starts 8-byte aligned")
                .isZero();
    }

    @Test
    void readsHalfAndBfloat16() throws IOException {
        // given: 1.5 and -2 as F16 (0x3e00, 0xc000) and as BF16 (0x3fc0, 0xc000)
        Path p = dir.resolve("h.safetensors");
        write(
                p,
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
                shorts(0x3e00, 0xc000, 0x3fc0, 0xc000));

        // when
        Safetensors.Contents c = Safetensors.read(p);

        // then
        assertThat(c.tensors().get("h").values()).containsExactly(1.5f, -2f);
        assertThat(c.tensors().get("h").dtype()).isEqualTo("F16");
        assertThat(c.tensors().get("b").values()).containsExactly(1.5f, -2f);
    }

    @Test
    void truncatedFileIsAClearError() throws IOException {
        Path p = dir.resolve("t.safetensors");
        Safetensors.write(p, Map.of("W", Tensor.f32(new float[16], 4, 4)), null);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length - 10));
        assertThatThrownBy(() -> Safetensors.read(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tensor 'W'")
                .hasMessageContaining("truncated");
        Files.write(p, Arrays.copyOf(all, 5));
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("too short");
    }

    @Test
    void headerLyingAboutSizesIsAClearError() throws IOException {
        Path p = dir.resolve("l.safetensors");
        // shape promises 4 floats (16 bytes) but the offsets span 8
        write(p, "{\"W\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> Safetensors.read(p))
                .hasMessageContaining("tensor 'W'")
                .hasMessageContaining("needs 16");
        // two tensors overlapping
        write(
                p,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12]);
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("overlapping");
        // a header length larger than the file
        ByteBuffer bad = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1_000_000);
        Files.write(p, bad.array());
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("header length 1000000");
        // extra bytes no tensor accounts for
        write(p, "{\"W\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[12]);
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("describes 4 data bytes");
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        Path p = dir.resolve("i.safetensors");
        write(p, "{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        assertThatThrownBy(() -> Safetensors.read(p)).hasMessageContaining("dtype I64");
    }

    private static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : v) {
            b.putShort((short) s);
        }
        return b.array();
    }

    private static void write(Path p, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(p, b.array());
    }
}
