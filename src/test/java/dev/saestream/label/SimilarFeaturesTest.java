package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.formats.Npy;
import dev.saestream.formats.NpyArray;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoder-cosine ranking against NumPy (src/test/python/label_similar_reference.py). */
class SimilarFeaturesTest {
    @TempDir
    Path dir;

    @Test
    void topKEqualsNumpyReference() throws Exception {
        // given the fixture decoder; then its ranking is NumPy's
        assertRankingIsNumpys(SimilarFeatures.fromNpy(fixture()));
    }

    @Test
    void anSaeDirectoryRanksItsDecoderAsNumpyDoes() throws Exception {
        // given the fixture decoder as the W_dec of an SAE saved in SAELens's format, and loaded back
        NpyArray decoder = Npy.read(fixture());
        int dSae = decoder.shape()[0];
        int dIn = decoder.shape()[1];
        SaeConfig config = SaeConfig.of(Architecture.STANDARD, dIn, dSae, 0).withId("fixture-sae");
        SaeWeights weights = SaeWeights.zeros(config);
        System.arraycopy(decoder.floats(), 0, weights.wDec(), 0, dSae * dIn);
        Sae.of(config, weights).save(dir);
        Sae loaded = Sae.load(dir);
        // then the ranking read from it in place is NumPy's
        assertRankingIsNumpys(SimilarFeatures.of(loaded));
    }

    private Path fixture() throws Exception {
        return Path.of(getClass().getResource("/label/decoder.npy").toURI());
    }

    /** Every feature's five nearest directions, and their cosines, are NumPy's (src/test/python/label_similar_reference.py). */
    private void assertRankingIsNumpys(SimilarFeatures sim) throws Exception {
        JsonNode want;
        try (InputStream in = getClass().getResourceAsStream("/label/similar_top5.json")) {
            want = Json.MAPPER.readTree(in);
        }
        assertThat(sim.features()).isEqualTo(want.size());
        for (int f = 0; f < sim.features(); f++) {
            JsonNode w = want.get(Integer.toString(f));
            int[] got = sim.mostSimilar(f, 5);
            assertThat(got).as("feature %d", f).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(got[i])
                        .as("feature %d rank %d", f, i)
                        .isEqualTo(w.get("features").get(i).asInt());
                assertThat(sim.cosine(f, got[i]))
                        .isCloseTo(w.get("cosines").get(i).asDouble(), within(1e-6));
            }
        }
        assertThat(sim.mostSimilar(3, 1)).containsExactly(10);
        assertThat(sim.cosine(3, 20)).isCloseTo(-1.0, within(1e-6));
    }

    @Test
    void kLargerThanTheSaeGivesEveryOtherFeature() {
        SimilarFeatures sim = new SimilarFeatures(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertThat(sim.mostSimilar(0, 10)).containsExactly(2, 1);
    }

    @Test
    void aDecoderOfTheWrongSizeIsRefusedByName() {
        assertThatThrownBy(() -> new SimilarFeatures(new float[5], 3, 2))
                .hasMessageContaining("d_sae × d_in = 3 × 2")
                .hasMessageContaining("got 5");
    }
}
