package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class WindowKeysTest {
    static final String SAE = "model/layer3/topk-3072";

    @Test
    void aTopKeysFirstFieldReadsBackAndOrdersAsTheKeys() {
        // given
        Random rnd = new Random(3);
        int prefix = WindowKeys.prefix(SAE, 17, WindowKeys.TOP).get().length;

        for (int i = 0; i < 10_000; i++) {
            float a = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : rnd.nextFloat() * 40 - 5;
            float b = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : rnd.nextFloat() * 40 - 5;
            // when
            Bytes ka = WindowKeys.top(SAE, 17, "doc/" + rnd.nextInt(50), a, rnd.nextInt(300));
            Bytes kb = WindowKeys.top(SAE, 17, "doc/" + rnd.nextInt(50), b, rnd.nextInt(300));

            // then
            assertThat(WindowKeys.topRank(ka, prefix)).isEqualTo(WindowKeys.topRank(a));
            int byRank = Integer.compareUnsigned(WindowKeys.topRank(a), WindowKeys.topRank(b));
            if (byRank != 0) {
                assertThat(Integer.signum(ka.compareTo(kb))).isEqualTo(Integer.signum(byRank));
                assertThat(byRank < 0).as("%s before %s", a, b).isEqualTo(a > b);
            }
        }
    }

    @Test
    void aReservoirKeysSampleKeyReadsBackAndOrdersAsTheKeys() {
        // given
        Random rnd = new Random(4);
        int prefix = WindowKeys.prefix(SAE, 9, WindowKeys.RESERVOIR).get().length;

        for (int i = 0; i < 10_000; i++) {
            long a = rnd.nextLong();
            long b = rnd.nextInt(4) == 0 ? a : rnd.nextLong();
            // when
            Bytes ka = WindowKeys.reservoir(SAE, 9, "doc/" + rnd.nextInt(50), rnd.nextInt(300), a);
            Bytes kb = WindowKeys.reservoir(SAE, 9, "doc/" + rnd.nextInt(50), rnd.nextInt(300), b);

            // then
            assertThat(WindowKeys.reservoirRank(ka, prefix)).isEqualTo(a);
            if (a != b) {
                assertThat(Integer.signum(ka.compareTo(kb))).isEqualTo(Integer.signum(Long.compareUnsigned(a, b)));
            }
        }
    }

    @Test
    void aSlotKeyReadsBackAndItsValuesRankRebuildsTheRankKey() {
        Bytes prefix = WindowKeys.prefix("sae\u0000odd", 4_000_001, WindowKeys.RESERVOIR);
        Bytes rankKey = WindowKeys.reservoir("sae\u0000odd", 4_000_001, "doc/7", 12, -3L);

        Bytes slotKey = WindowKeys.slot(prefix, 199);

        assertThat(WindowKeys.parseSlot(slotKey))
                .isEqualTo(new WindowKeys.Slot("sae\u0000odd", 4_000_001, WindowKeys.RESERVOIR, 199));
        assertThat(WindowKeys.rankKey(slotKey, WindowKeys.rank(rankKey, prefix.get().length)))
                .isEqualTo(rankKey);
    }

    @Test
    void aWindowKeyedByRankAsOlderVersionsStoredItIsReportedAsAnUpgradeStep() {
        Bytes old = WindowKeys.top(SAE, 17, "doc/1", 3.5f, 40);

        assertThatThrownBy(() -> WindowKeys.parseSlot(old))
                .isInstanceOf(StateFormatException.class)
                .hasMessageContaining("another saestream version")
                .hasMessageContaining("saestream reprocess");
    }
}
