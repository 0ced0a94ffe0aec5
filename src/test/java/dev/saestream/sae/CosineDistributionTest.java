package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CosineDistributionTest {
    @Test
    void quantilesAreTheValuesAtTheirRanksAndSharesCountTheThresholdsIn() {
        // given 0.00, 0.01, …, 0.99 in a shuffled order
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            values.add(i / 100.0);
        }
        Collections.shuffle(values, new Random(7));
        // when
        CosineDistribution d = CosineDistribution.of(
                values.stream().mapToDouble(Double::doubleValue).toArray());
        // then: rank floor(q·n) of the sorted values; 0.7 itself counts as at or above 0.7
        assertThat(d.n()).isEqualTo(100);
        assertThat(d.mean()).isCloseTo(0.495, within(1e-12));
        assertThat(new double[] {d.min(), d.p10(), d.q1(), d.median(), d.q3(), d.p90(), d.max()})
                .containsExactly(0.0, 0.10, 0.25, 0.50, 0.75, 0.90, 0.99);
        assertThat(new double[] {d.atLeast05(), d.atLeast07(), d.atLeast09()}).containsExactly(0.50, 0.30, 0.10);
        assertThat(d.describe())
                .isEqualTo("mean 0.495, min 0.000, p10 0.100, q1 0.250, median 0.500, q3 0.750, p90 0.900,"
                        + " max 0.990; ≥ 0.9: 10.0%, ≥ 0.7: 30.0%, ≥ 0.5: 50.0%");
    }

    @Test
    void noCosineIsRefused() {
        assertThatThrownBy(() -> CosineDistribution.of(new double[0])).hasMessageContaining("at least one cosine");
    }
}
