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
            assertThat(LocalFilters.activationKey(values[i], -1L))
                    .as("%s vs %s", values[i], values[i - 1])
                    .isLessThan(LocalFilters.activationKey(values[i - 1], 0L));
        }
        assertThat(LocalFilters.activationKey(2f, -1L)).isLessThan(LocalFilters.activationKey(1.9999999f, 0L));
        // equal activations differ in the sampling key's high bits only
        assertThat(LocalFilters.activationKey(2f, 1L << 32) >> LocalFilters.ACTIVATION_TIE_BITS)
                .isEqualTo(LocalFilters.activationKey(2f, 0L) >> LocalFilters.ACTIVATION_TIE_BITS);
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
        LocalFilters.SmallestKeys top = new LocalFilters.SmallestKeys(5, LocalFilters.ACTIVATION_TIE_BITS);
        List<Float> admitted = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            float v = rnd.nextInt(50) * 0.25f;
            if (top.offer(LocalFilters.activationKey(v, (long) i << 32))) {
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

    @Test
    void aKeyOfferedAgainTurnsAwayNothingItWouldHaveAdmitted() {
        // given the same stream of sampling keys offered once, and with every other key offered a second time later on
        Random rnd = new Random(5);
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            keys.add(LocalFilters.samplingKey(rnd.nextLong()));
        }
        LocalFilters.SmallestKeys once = new LocalFilters.SmallestKeys(20, 0);
        LocalFilters.SmallestKeys twice = new LocalFilters.SmallestKeys(20, 0);
        int admittedOnce = 0;
        for (int i = 0; i < keys.size(); i++) {
            boolean a = once.offer(keys.get(i));
            admittedOnce += a ? 1 : 0;
            // then every key the first filter admits, the second admits too
            assertThat(twice.offer(keys.get(i))).as("key %d", i).isEqualTo(a);
            if (i >= 100 && i % 2 == 0) {
                twice.offer(keys.get(i - 100));
            }
        }
        assertThat(admittedOnce).isBetween(20, 400);
    }
}
