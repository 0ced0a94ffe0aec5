package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.kafka.Json;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The decoder-cosine ranking against NumPy (src/test/python/label_similar_reference.py). */
class SimilarFeaturesTest {
    @Test
    void topKEqualsNumpyReference() throws Exception {
        // given the fixture decoder and NumPy's ranking of it
        SimilarFeatures sim = SimilarFeatures.fromNpy(Path.of(getClass().getResource("/label/decoder.npy").toURI()));
        JsonNode want;
        try (InputStream in = getClass().getResourceAsStream("/label/similar_top5.json")) {
            want = Json.MAPPER.readTree(in);
        }
        // then every feature's five nearest directions, and their cosines, are NumPy's
        for (int f = 0; f < sim.features(); f++) {
            JsonNode w = want.get(Integer.toString(f));
            int[] got = sim.mostSimilar(f, 5);
            assertThat(got).as("feature %d", f).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(got[i]).as("feature %d rank %d", f, i).isEqualTo(w.get("features").get(i).asInt());
                assertThat(sim.cosine(f, got[i])).isCloseTo(w.get("cosines").get(i).asDouble(), within(1e-6));
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
                .hasMessageContaining("d_sae × d_in = 3 × 2").hasMessageContaining("got 5");
    }
}
