package dev.saestream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.model.ModelConfig;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Normalization;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import dev.saestream.sae.SparseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Several SAEs in one transformer pass give each SAE exactly the codes it gives alone. */
class SeveralSaesTest {
    private static Sae random(Architecture arch, String hook, int dSae, int k, long seed) {
        SaeConfig c = new SaeConfig(
                arch,
                384,
                dSae,
                k,
                false,
                true,
                Normalization.NONE,
                "float32",
                "all-minilm-l6-v2",
                hook,
                256,
                "test",
                "test/" + hook + "/" + arch.name().toLowerCase() + "-" + dSae,
                Map.of());
        SaeWeights w = SaeWeights.zeros(c);
        Random rnd = new Random(seed);
        for (float[] a : new float[][] {w.wEnc(), w.bEnc(), w.wDec(), w.bDec(), w.threshold()}) {
            if (a != null) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (0.05 * rnd.nextGaussian());
                }
            }
        }
        return Sae.of(c, w);
    }

    @Test
    void threeSaesAtTwoHooksInOnePassEqualEachSaeAlone() throws Exception {
        // given SAEs at layer 3 (two of them) and at layer 1
        List<Sae> saes = List.of(
                random(Architecture.TOPK, "blocks.3.hook_resid_post", 256, 8, 7),
                random(Architecture.TOPK, "blocks.1.hook_resid_post", 128, 4, 9),
                random(Architecture.STANDARD, "blocks.3.hook_resid_post", 64, 0, 11));
        EncodeConfig config = SaeDocumentEncoderTest.config(CodesFormat.Precision.FLOAT, 64);
        List<List<DocumentCodes>> alone = new ArrayList<>();
        for (Sae sae : saes) {
            try (SaeDocumentEncoder one = SaeDocumentEncoder.open(ModelConfig.defaults(), sae, config)) {
                List<DocumentCodes> perText = new ArrayList<>();
                for (int t = 0; t < SaeDocumentEncoderTest.TEXTS.size(); t++) {
                    perText.add(one.encode("doc" + t, SaeDocumentEncoderTest.TEXTS.get(t)));
                }
                alone.add(perText);
            }
        }
        // when
        try (SaeDocumentEncoder together = SaeDocumentEncoder.open(ModelConfig.defaults(), saes, config)) {
            // then: cut after layer 3, and every SAE's codes and reconstruction figures as alone
            assertThat(together.transformer().hook().alias()).isEqualTo("layer3");
            assertThat(together.hooks()).extracting(h -> h.alias()).containsExactly("layer3", "layer1", "layer3");
            assertThat(together.saeIds())
                    .containsExactly(
                            saes.get(0).id(), saes.get(1).id(), saes.get(2).id());
            for (int t = 0; t < SaeDocumentEncoderTest.TEXTS.size(); t++) {
                List<DocumentCodes> got = together.encodeAll("doc" + t, SaeDocumentEncoderTest.TEXTS.get(t));
                assertThat(got).hasSize(3);
                for (int s = 0; s < 3; s++) {
                    DocumentCodes want = alone.get(s).get(t);
                    assertThat(got.get(s).saeId()).isEqualTo(saes.get(s).id());
                    // exposing a shallower hook as an output changes how ONNX Runtime fuses the graph around it, so
                    // activations agree to float rounding, not bit for bit: a feature on one side only is near 0
                    assertSameCodes(got.get(s).codes(), want.codes(), "SAE " + s + ", text " + t);
                    ReconstructionStats g = got.get(s).stats();
                    ReconstructionStats w = want.stats();
                    assertThat(g.tokens()).isEqualTo(w.tokens());
                    assertThat(g.squaredError()).isCloseTo(w.squaredError(), within(1e-6 * w.squaredNorm()));
                    assertThat(g.squaredNorm()).isCloseTo(w.squaredNorm(), within(1e-6 * w.squaredNorm()));
                    assertThat(g.cosineSum()).isCloseTo(w.cosineSum(), within(1e-6 * w.tokens()));
                    assertThat(got.get(s).tokens()).containsExactly(want.tokens());
                }
            }
        }
    }

    private static void assertSameCodes(SparseCode[] got, SparseCode[] want, String what) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            Set<Integer> features = new TreeSet<>();
            for (int f : got[i].indices()) {
                features.add(f);
            }
            for (int f : want[i].indices()) {
                features.add(f);
            }
            for (int f : features) {
                double w = want[i].valueOf(f);
                assertThat((double) got[i].valueOf(f))
                        .as("feature %d of token %d of %s", f, i, what)
                        .isCloseTo(w, within(1e-4 * Math.max(1, Math.abs(w))));
            }
        }
    }

    @Test
    void oneIdOverrideForSeveralSaesAndTwoSaesWithOneIdAreRefused() {
        Sae a = random(Architecture.TOPK, "blocks.3.hook_resid_post", 32, 4, 1);
        EncodeConfig d = EncodeConfig.defaults();
        EncodeConfig named = new EncodeConfig(d.applicationId(), d.precision(), 0, 1, 1_000, "mine", "unused", 64);
        assertThatThrownBy(() -> SaeDocumentEncoder.open(ModelConfig.defaults(), List.of(a, a), named))
                .hasMessageContaining("encode.saeId names one SAE");
        assertThatThrownBy(() -> SaeDocumentEncoder.open(
                        ModelConfig.defaults(),
                        List.of(a, a),
                        SaeDocumentEncoderTest.config(CodesFormat.Precision.HALF, 64)))
                .hasMessageContaining("two of the SAEs have the id");
    }
}
