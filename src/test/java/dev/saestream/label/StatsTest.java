package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stats against hand-worked cases and the pure-Python reference (src/test/python/label_stats_reference.py). */
class StatsTest {
    private static final double EPS = 1e-12;
    private static JsonNode reference;

    @BeforeAll
    static void readReference() throws IOException {
        try (InputStream in = StatsTest.class.getResourceAsStream("/label/stats_reference.json")) {
            reference = Json.MAPPER.readTree(in);
        }
    }

    @Test
    void zIsTheNormalQuantile() {
        assertThat(Stats.Z95).isCloseTo(reference.get("z").asDouble(), within(1e-15));
    }

    @Test
    void wilsonMatchesThePublishedEightOfTen() {
        // given 8 successes of 10, when the Wilson interval is taken, then it is the textbook [0.4902, 0.9433]
        Stats.Interval ci = Stats.wilson(8, 10);
        assertThat(ci.low()).isCloseTo(0.4902, within(1e-4));
        assertThat(ci.high()).isCloseTo(0.9433, within(1e-4));
    }

    @Test
    void wilsonEqualsReference() {
        for (JsonNode c : reference.get("wilson")) {
            Stats.Interval ci = Stats.wilson(c.get(0).asLong(), c.get(1).asLong());
            assertThat(ci.low()).as("low of %s", c).isCloseTo(c.get(2).get(0).asDouble(), within(EPS));
            assertThat(ci.high()).as("high of %s", c).isCloseTo(c.get(2).get(1).asDouble(), within(EPS));
        }
    }

    @Test
    void balancedAccuracyByHand() {
        // given 40 of 50 positives and 45 of 50 negatives right, then BA = (0.8 + 0.9) / 2
        Stats.Confusion c = new Stats.Confusion(40, 5, 45, 10);
        assertThat(c.balancedAccuracy()).isCloseTo(0.85, within(EPS));
        // F1 = 2·40 / (2·40 + 5 + 10) = 80 / 95
        assertThat(c.f1()).isCloseTo(80.0 / 95, within(EPS));
        assertThat(c.precision()).isCloseTo(40.0 / 45, within(EPS));
        assertThat(c.recall()).isCloseTo(0.8, within(EPS));
    }

    @Test
    void confusionFiguresAndIntervalsEqualReference() {
        for (JsonNode r : reference.get("confusion")) {
            Stats.Confusion c = new Stats.Confusion(
                    r.get("tp").asLong(),
                    r.get("fp").asLong(),
                    r.get("tn").asLong(),
                    r.get("fn").asLong());
            assertThat(c.balancedAccuracy())
                    .as("BA %s", r)
                    .isCloseTo(r.get("balancedAccuracy").asDouble(), within(EPS));
            assertInterval(c.balancedAccuracyInterval(), r.get("balancedAccuracyCi"), "BA CI " + r);
            assertThat(c.precision()).isCloseTo(r.get("precision").asDouble(), within(EPS));
            assertThat(c.recall()).isCloseTo(r.get("recall").asDouble(), within(EPS));
            assertThat(c.f1()).as("F1 %s", r).isCloseTo(r.get("f1").asDouble(), within(EPS));
            assertInterval(c.f1Interval(), r.get("f1Ci"), "F1 CI " + r);
        }
    }

    @Test
    void perfectScoresStillHaveAnIntervalWidth() {
        Stats.Confusion perfect = new Stats.Confusion(50, 0, 50, 0);
        assertThat(perfect.balancedAccuracy()).isEqualTo(1.0);
        assertThat(perfect.balancedAccuracyInterval().low()).isLessThan(0.99);
        assertThat(perfect.balancedAccuracyInterval().high()).isEqualTo(1.0);
        assertThat(perfect.f1Interval().low()).isLessThan(1.0);
    }

    @Test
    void aucByHandCountsTiesAsHalf() {
        // 0.6 loses to 0.65 only: 11 of 12 pairs
        assertThat(Stats.auc(new double[] {0.9, 0.8, 0.7, 0.6}, new double[] {0.65, 0.5, 0.4}))
                .isCloseTo(11.0 / 12, within(EPS));
        // against {2, 1, 0}: 1 scores 0 + .5 + 1, each 2 scores .5 + 1 + 1, 3 scores 3: 9.5 of 12
        assertThat(Stats.auc(new double[] {1, 2, 2, 3}, new double[] {2, 1, 0})).isCloseTo(9.5 / 12, within(EPS));
    }

    @Test
    void aucAndDeLongIntervalEqualReference() {
        for (JsonNode r : reference.get("auc")) {
            double[] pos = doubles(r.get("positives"));
            double[] neg = doubles(r.get("negatives"));
            assertThat(Stats.auc(pos, neg)).isCloseTo(r.get("auc").asDouble(), within(EPS));
            assertInterval(Stats.aucInterval(pos, neg), r.get("ci"), "AUC CI");
        }
    }

    @Test
    void pearsonByHandAndReference() {
        assertThat(Stats.pearson(new double[] {1, 2, 3, 4, 5}, new double[] {2, 4, 5, 4, 5}))
                .isCloseTo(Math.sqrt(0.6), within(EPS));
        for (JsonNode r : reference.get("pearson")) {
            assertThat(Stats.pearson(doubles(r.get("x")), doubles(r.get("y"))))
                    .isCloseTo(r.get("r").asDouble(), within(EPS));
        }
    }

    @Test
    void constantPredictionsCorrelateZero() {
        assertThat(Stats.pearson(new double[] {0, 0, 0}, new double[] {1, 2, 3}))
                .isZero();
    }

    @Test
    void fisherIntervalEqualsReference() {
        for (JsonNode c : reference.get("fisher")) {
            assertInterval(Stats.fisherInterval(c.get(0).asDouble(), c.get(1).asLong()), c.get(2), "Fisher " + c);
        }
        assertThat(Stats.fisherInterval(1.0, 50)).isEqualTo(new Stats.Interval(1, 1));
    }

    private static void assertInterval(Stats.Interval got, JsonNode want, String what) {
        assertThat(got.low()).as(what + " low").isCloseTo(want.get(0).asDouble(), within(1e-12));
        assertThat(got.high()).as(what + " high").isCloseTo(want.get(1).asDouble(), within(1e-12));
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
