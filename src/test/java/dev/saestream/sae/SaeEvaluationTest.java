package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.formats.NpyArray;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Evaluation metrics equal NumPy's on every fixture (src/test/python/sae_fixtures.py). */
class SaeEvaluationTest {
    static List<String> fixtures() throws IOException {
        return SaeFixtures.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void metricsMatchNumpy(String fixture) throws IOException {
        // given
        Sae sae = Sae.load(SaeFixtures.root().resolve(fixture));
        NpyArray x = SaeFixtures.npy(fixture, "x.npy");
        JsonNode want = Json.MAPPER.readTree(
                SaeFixtures.root().resolve(fixture).resolve("eval.json").toFile());

        // when
        SaeEvaluation got = SaeEvaluation.of(sae, x.floats(), x.rows());

        // then
        assertThat(got.tokens()).isEqualTo(want.get("tokens").asLong());
        assertThat(got.l0()).isEqualTo(want.get("l0").asDouble());
        assertThat(got.fvu())
                .isCloseTo(
                        want.get("fvu").asDouble(),
                        within(1e-5 * Math.abs(want.get("fvu").asDouble())));
        assertThat(got.cosine()).isCloseTo(want.get("cosine").asDouble(), within(1e-5));
        double rrb = want.get("relative_reconstruction_bias").asDouble();
        assertThat(got.relativeReconstructionBias()).isCloseTo(rrb, within(1e-5 * Math.abs(rrb)));
        assertThat(got.deadFraction()).isEqualTo(want.get("dead_fraction").asDouble());
        assertThat(got.denseFraction()).isEqualTo(want.get("dense_fraction").asDouble());
        long[] hist = new long[SaeEvaluation.HISTOGRAM_BINS];
        for (int i = 0; i < hist.length; i++) {
            hist[i] = want.get("density_histogram").get(i).asLong();
        }
        assertThat(got.densityHistogram()).containsExactly(hist);
    }
}
