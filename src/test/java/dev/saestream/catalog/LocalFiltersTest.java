package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalFiltersTest {
    @Test
    void activationKeysOrderLargerValuesFirst() {
        float[] values = {-3f, -0f, 0f, 1e-30f, 0.5f, 1f, 7f, Float.MAX_VALUE};
        for (int i = 1; i < values.length; i++) {
            assertThat(LocalFilters.activationKey(values[i]))
                    .as("%s vs %s", values[i], values[i - 1])
                    .isLessThanOrEqualTo(LocalFilters.activationKey(values[i - 1]));
        }
        assertThat(LocalFilters.activationKey(2f)).isLessThan(LocalFilters.activationKey(1.9999999f));
    }

    @Test
    void samplingKeysKeepUnsignedOrder() {
        long[] unsigned = {0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, -2L, -1L};
        for (int i = 1; i < unsigned.length; i++) {
            assertThat(LocalFilters.samplingKey(unsigned[i])).isGreaterThan(LocalFilters.samplingKey(unsigned[i - 1]));
        }
    }

    @Test
    void aWindowDroppedByTheFilterIsBeatenByKWindowsAlreadyAdmitted() {
        // given a stream of values, when filtered for the top 5, then every dropped value is below the 5th best
        // admitted
        Random rnd = new Random(3);
        LocalFilters.SmallestKeys top = new LocalFilters.SmallestKeys(5);
        List<Float> admitted = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            float v = rnd.nextInt(50) * 0.25f;
            if (top.offer(LocalFilters.activationKey(v))) {
                admitted.add(v);
            } else {
                List<Float> sorted = new ArrayList<>(admitted);
                sorted.sort(Comparator.reverseOrder());
                assertThat(sorted.get(4)).isGreaterThan(v);
            }
        }
        // and far fewer were admitted than offered
        assertThat(admitted.size()).isLessThan(200);
    }
}
