package dev.saestream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowsTest {
    @Test
    void emptyTextHasNoWindows() {
        assertThat(Windows.plan(0, 8, 2)).isEmpty();
    }

    @Test
    void shortTextIsOneWindowKeptWhole() {
        assertThat(Windows.plan(5, 8, 2)).containsExactly(new Windows.Window(0, 5, 0, 5));
    }

    @Test
    void overlapIsSplitAtItsMiddle() {
        // given 10 tokens, windows of 6 sharing 2: [0,6) and [4,10), sharing tokens 4 and 5
        List<Windows.Window> w = Windows.plan(10, 6, 2);

        // then token 4 comes from the first window and token 5 from the second
        assertThat(w).containsExactly(new Windows.Window(0, 6, 0, 5), new Windows.Window(4, 10, 5, 10));
    }

    @Test
    void keptRangesTileTheTextOnceInOrderAwayFromWindowEdges() {
        Random random = new Random(11);
        for (int trial = 0; trial < 2000; trial++) {
            // given
            int size = 1 + random.nextInt(40);
            int overlap = random.nextInt(size);
            int n = random.nextInt(300);

            // when
            List<Windows.Window> windows = Windows.plan(n, size, overlap);

            // then, checked token by token
            int next = 0;
            for (int k = 0; k < windows.size(); k++) {
                Windows.Window w = windows.get(k);
                assertThat(w.length()).isBetween(1, size);
                assertThat(w.keepFrom()).isEqualTo(next).isGreaterThanOrEqualTo(w.start());
                assertThat(w.keepTo()).isGreaterThan(w.keepFrom()).isLessThanOrEqualTo(w.end());
                for (int t = w.keepFrom(); t < w.keepTo(); t++) {
                    // context on each side that has any: at least half the overlap
                    if (k > 0) {
                        assertThat(t - w.start()).isGreaterThanOrEqualTo(overlap / 2);
                    }
                    if (k < windows.size() - 1) {
                        assertThat(w.end() - 1 - t).isGreaterThanOrEqualTo((overlap - 1) / 2);
                    }
                }
                next = w.keepTo();
            }
            assertThat(next).isEqualTo(n);
        }
    }

    @Test
    void overlapMustLeaveRoomToAdvance() {
        assertThatThrownBy(() -> Windows.plan(10, 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlap");
    }
}
