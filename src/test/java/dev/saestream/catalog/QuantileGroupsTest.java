package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantileGroupsTest {
    private static FeatureWindow window(String doc, float peak) {
        return new FeatureWindow(doc, 3, 2, new String[] {" a", " b", " c"}, new float[] {0, peak, peak / 2});
    }

    @Test
    void groupsPartitionTheWindowsByPeakInEqualSizes() {
        // given 23 windows with distinct random peaks
        Random random = new Random(7);
        List<FeatureWindow> windows = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            windows.add(window("d" + i, 0.1f + random.nextFloat() * 5));
        }
        // when
        List<QuantileGroups.Group> groups = QuantileGroups.of(windows, 5);
        // then: every window once; 23 = 5 x 4 + 3, so the top three groups have one more
        assertThat(groups).extracting(g -> g.windows().size()).containsExactly(4, 4, 5, 5, 5);
        assertThat(groups.stream().flatMap(g -> g.windows().stream())).containsExactlyInAnyOrderElementsOf(windows);
        List<FeatureWindow> sorted = new ArrayList<>(windows);
        sorted.sort(FeatureWindow.BY_ACTIVATION_DESC.reversed());
        int from = 0;
        for (QuantileGroups.Group g : groups) {
            List<FeatureWindow> expected =
                    new ArrayList<>(sorted.subList(from, from + g.windows().size()));
            expected.sort(FeatureWindow.BY_ACTIVATION_DESC);
            assertThat(g.windows()).containsExactlyElementsOf(expected);
            assertThat(g.low()).isEqualTo(expected.get(expected.size() - 1).max());
            assertThat(g.high()).isEqualTo(expected.get(0).max());
            from += g.windows().size();
        }
    }

    @Test
    void fewerWindowsThanGroupsGiveOneGroupPerWindowAndNoneForNoWindows() {
        assertThat(QuantileGroups.of(List.of(window("a", 1), window("b", 2)), 5))
                .extracting(QuantileGroups.Group::high)
                .containsExactly(1f, 2f);
        assertThat(QuantileGroups.of(List.of(), 5)).isEmpty();
        assertThatThrownBy(() -> QuantileGroups.of(List.of(), 0)).hasMessageContaining("groups must be positive");
    }
}
