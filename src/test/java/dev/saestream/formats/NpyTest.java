package dev.saestream.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private static NpyArray fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/formats/" + name)) {
            return Npy.read(in, name);
        }
    }

    @Test
    void readsWhatNumpyWrote() throws IOException {
        NpyArray f4 = fixture("f4.npy");
        assertThat(f4.shape()).containsExactly(3, 4);
        for (int i = 0; i < 12; i++) {
            assertThat(f4.floats()[i]).isEqualTo((float) i / 7f);
        }
        NpyArray f2 = fixture("f2.npy");
        assertThat(f2.dtype()).isEqualTo("<f2");
        for (int i = 0; i < 12; i++) {
            assertThat(f2.floats()[i]).isCloseTo((float) i / 7f, org.assertj.core.data.Offset.offset(2e-3f));
        }
        assertThat(fixture("i8.npy").ints()).containsExactly(-1, 2, 3, Integer.MAX_VALUE);
        NpyArray vec = fixture("vec.npy");
        assertThat(vec.shape()).containsExactly(2);
        assertThat(vec.floats()).containsExactly(1.5f, -2.25f);
    }

    @Test
    void writeThenReadIsExact() throws IOException {
        float[] data = {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, 3.25f};
        Npy.writeFloats(dir.resolve("a.npy"), data, 2, 3);
        NpyArray back = Npy.read(dir.resolve("a.npy"));
        assertThat(back.shape()).containsExactly(2, 3);
        assertThat(back.floats()).containsExactly(data);
        Npy.writeInts(dir.resolve("i.npy"), new int[] {-1, 7, 9}, 3, 1);
        assertThat(Npy.read(dir.resolve("i.npy")).ints()).containsExactly(-1, 7, 9);
    }

    @Test
    void streamingWriterPatchesTheRowCount() throws IOException {
        Path p = dir.resolve("s.npy");
        try (Npy.Writer w = new Npy.Writer(p, 3)) {
            w.append(new float[] {1, 2, 3, 4, 5, 6}, 0, 6);
            w.append(new float[] {9, 7, 8, 9}, 1, 3);
        }
        NpyArray back = Npy.read(p);
        assertThat(back.shape()).containsExactly(3, 3);
        assertThat(back.floats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(Files.size(p) % 4).isZero();
    }

    @Test
    void truncatedFileIsAClearError() throws IOException {
        Path p = dir.resolve("t.npy");
        Npy.writeFloats(p, new float[8], 2, 4);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(all, all.length - 5));
        assertThatThrownBy(() -> Npy.read(p)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
        Files.writeString(p, "not numpy at all");
        assertThatThrownBy(() -> Npy.read(p)).hasMessageContaining("bad magic");
    }

    @Test
    void halfFloatConversionMatchesNumpyForEveryBitPattern() throws IOException {
        float[] expected = fixture("half_all.npy").floats();
        for (int bits = 0; bits < 65536; bits++) {
            float f = HalfFloat.toFloat((short) bits);
            if (Float.isNaN(expected[bits])) {
                assertThat(f).isNaN();
                continue;
            }
            assertThat(Float.floatToIntBits(f)).as("bits %04x", bits).isEqualTo(Float.floatToIntBits(expected[bits]));
            assertThat(HalfFloat.fromFloat(f) & 0xffff)
                    .as("round trip %04x", bits)
                    .isEqualTo(bits);
        }
    }

    @Test
    void halfFloatRoundsToNearestEven() {
        // 1 + 2^-11 is exactly between two halves (1 and 1 + 2^-10): ties go to the even one, 1
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(1f + 0x1p-11f))).isEqualTo(1f);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(1f + 3 * 0x1p-11f))).isEqualTo(1f + 0x1p-9f);
        assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(70000f))).isEqualTo(Float.POSITIVE_INFINITY);
    }
}
