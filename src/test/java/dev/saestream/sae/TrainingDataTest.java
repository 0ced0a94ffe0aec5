package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shuffle buffer hands out every streamed row exactly once, in an order fixed by the seed. */
class TrainingDataTest {
    /** Row r is [r, -r]: each row names itself. */
    static float[] numbered(int rows) {
        float[] x = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            x[2 * r] = r;
            x[2 * r + 1] = -r;
        }
        return x;
    }

    static List<Integer> drain(TrainingData data, int batch) {
        List<Integer> seen = new ArrayList<>();
        float[] dst = new float[batch * 2];
        for (int n; (n = data.next(dst, batch)) > 0; ) {
            for (int i = 0; i < n; i++) {
                assertThat(dst[2 * i + 1]).isEqualTo(-dst[2 * i]);
                seen.add((int) dst[2 * i]);
            }
        }
        return seen;
    }

    @Test
    void everyStreamedRowComesOutOnceAndTheBufferMixesThem() {
        // given 5,000 rows through a buffer of 500
        List<Integer> seen =
                drain(new TrainingData.Shuffled(new SaeTrainerTest.ArrayStream(numbered(5000), 5000, 2), 500, 7), 64);

        // then
        assertThat(seen).hasSize(5000).doesNotHaveDuplicates();
        assertThat(seen.subList(0, 100))
                .isNotEqualTo(seen.subList(0, 100).stream().sorted().toList());
        // a row leaves the buffer within a few buffer lengths of entering it
        int late = 0;
        for (int i = 0; i < seen.size(); i++) {
            late += i - seen.get(i) > 5 * 500 ? 1 : 0;
        }
        assertThat(late).isLessThan(50);
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        List<Integer> a =
                drain(new TrainingData.Shuffled(new SaeTrainerTest.ArrayStream(numbered(3000), 3000, 2), 256, 1), 100);
        List<Integer> b =
                drain(new TrainingData.Shuffled(new SaeTrainerTest.ArrayStream(numbered(3000), 3000, 2), 256, 1), 100);
        List<Integer> c =
                drain(new TrainingData.Shuffled(new SaeTrainerTest.ArrayStream(numbered(3000), 3000, 2), 256, 2), 100);
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void nonFiniteActivationsAreRefusedNamingTheRow() {
        float[] x = numbered(600);
        x[2 * 321 + 1] = Float.NaN;
        assertThatThrownBy(
                        () -> drain(new TrainingData.Shuffled(new SaeTrainerTest.ArrayStream(x, 600, 2), 100, 1), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 321")
                .hasMessageContaining("NaN");
    }
}
