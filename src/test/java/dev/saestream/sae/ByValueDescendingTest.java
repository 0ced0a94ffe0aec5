package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByValueDescendingTest {
    @Test
    void keysOrderAsValueDescendingThenIndexAndUnpackExactly() {
        Random rnd = new Random(9);
        float[] special = {
            0f,
            -0f,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            1f,
            -1f
        };
        for (int trial = 0; trial < 100_000; trial++) {
            float a = trial < special.length ? special[trial] : Float.intBitsToFloat(rnd.nextInt());
            float b = rnd.nextBoolean() ? a : special[rnd.nextInt(special.length)];
            if (Float.isNaN(a) || Float.isNaN(b)) {
                continue;
            }
            int i = rnd.nextInt(Integer.MAX_VALUE);
            int j = rnd.nextInt(Integer.MAX_VALUE);
            long ka = ByValueDescending.key(a, i);
            long kb = ByValueDescending.key(b, j);
            assertThat(Float.floatToIntBits(ByValueDescending.value(ka))).isEqualTo(Float.floatToIntBits(a));
            assertThat(ByValueDescending.index(ka)).isEqualTo(i);
            int expected = Float.compare(a, b) != 0 ? -Float.compare(a, b) : Integer.compare(i, j);
            assertThat(Integer.signum(Long.compare(ka, kb)))
                    .as("%s@%d vs %s@%d", a, i, b, j)
                    .isEqualTo(Integer.signum(expected));
        }
    }
}
