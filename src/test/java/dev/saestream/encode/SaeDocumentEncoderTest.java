package dev.saestream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.model.ModelConfig;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEncoders;
import dev.saestream.sae.SparseCode;
import dev.saestream.sae.TestSaes;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SAE run as a head inside the transformer's session equals the transformer's activations encoded in plain Java. */
class SaeDocumentEncoderTest {
    static final ModelConfig MODEL = ModelConfig.defaults();
    static final List<String> TEXTS = List.of(
            "The Commission will present its proposal to Parliament next week.",
            "Naïve café owners in Zürich voted 🙂 against the 日本語 proposal.",
            "x".repeat(3) + " " + "Madam President, ".repeat(120));
    static Transformer plain;

    @BeforeAll
    static void open() throws Exception {
        plain = Transformer.open(MODEL);
    }

    @AfterAll
    static void close() {
        plain.close();
    }

    static EncodeConfig config(CodesFormat.Precision precision, int kMax) {
        EncodeConfig d = EncodeConfig.defaults();
        return new EncodeConfig(d.applicationId(), precision, 0, 1, 1_000, "", "unused", kMax);
    }

    static void assertSameCodes(SaeDocumentEncoder encoder, Sae sae) throws Exception {
        for (int t = 0; t < TEXTS.size(); t++) {
            String text = TEXTS.get(t);
            DocumentCodes got = encoder.encode("doc" + t, text);
            TokenActivations ref = plain.extract(List.of(text)).get(0);
            SparseCode[] want = SaeEncoders.reference(sae).encode(ref.activations(), ref.size());
            assertThat(got.tokens()).containsExactlyElementsOf(ref.tokens());
            assertThat(got.starts()).containsExactly(ref.starts());
            assertThat(got.ends()).containsExactly(ref.ends());
            assertThat(got.text()).isEqualTo(text);
            for (int i = 0; i < ref.size(); i++) {
                // feature by feature: a feature missing on one side counts as 0 (near-zero values may fall either way)
                java.util.Set<Integer> features = new java.util.TreeSet<>();
                for (int f : got.codes()[i].indices()) {
                    features.add(f);
                }
                for (int f : want[i].indices()) {
                    features.add(f);
                }
                for (int f : features) {
                    double w = want[i].valueOf(f);
                    assertThat((double) got.codes()[i].valueOf(f))
                            .as("feature %d of token %d of text %d", f, i, t)
                            .isCloseTo(w, org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(w))));
                }
            }
            assertThat(got.stats().tokens()).isEqualTo(ref.size());
            assertThat(got.stats().relativeError()).isBetween(0.0, 10.0);
        }
    }

    @Test
    void topkHeadEqualsJavaEncodingOfTheActivations() throws Exception {
        Sae sae = TestSaes.random(Architecture.TOPK, 384, 512, 8, 1);
        try (SaeDocumentEncoder encoder =
                SaeDocumentEncoder.open(MODEL, sae, config(CodesFormat.Precision.FLOAT, 64))) {
            assertThat(encoder.saeId()).isEqualTo("test/layer3/topk-512");
            assertSameCodes(encoder, sae);
        }
    }

    @Test
    void tokensOverKMaxAreReEncodedExactlyAndCounted() throws Exception {
        Sae sae = TestSaes.random(Architecture.STANDARD, 384, 256, 0, 2);
        try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(MODEL, sae, config(CodesFormat.Precision.FLOAT, 4))) {
            assertSameCodes(encoder, sae);
            assertThat(encoder.overflowTokens()).isPositive();
        }
    }

    @Test
    void halfPrecisionCodesAreTheExactOnesRounded() throws Exception {
        Sae sae = TestSaes.random(Architecture.TOPK, 384, 512, 8, 3);
        try (SaeDocumentEncoder half = SaeDocumentEncoder.open(MODEL, sae, config(CodesFormat.Precision.HALF, 8));
                SaeDocumentEncoder full = SaeDocumentEncoder.open(MODEL, sae, config(CodesFormat.Precision.FLOAT, 8))) {
            DocumentCodes h = half.encode("d", TEXTS.get(0));
            DocumentCodes f = full.encode("d", TEXTS.get(0));
            for (int i = 0; i < f.size(); i++) {
                assertThat(h.codes()[i]).isEqualTo(CodesFormat.round(f.codes()[i], CodesFormat.Precision.HALF, null));
            }
            assertThat(CodesFormat.read(CodesFormat.write(h, CodesFormat.Precision.HALF)))
                    .isEqualTo(h);
        }
    }

    @Test
    void emptyTextsAndMismatchedWidthsAreClearErrors() throws Exception {
        Sae sae = TestSaes.random(Architecture.TOPK, 384, 64, 4, 4);
        try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(MODEL, sae, config(CodesFormat.Precision.HALF, 4))) {
            assertThatThrownBy(() -> encoder.encode("e", "   "))
                    .isInstanceOf(EncodeException.class)
                    .satisfies(e -> assertThat(((EncodeException) e).reason()).isEqualTo(EncodeException.EMPTY));
        }
        Sae narrow = TestSaes.random(Architecture.TOPK, 128, 64, 4, 5);
        assertThatThrownBy(() -> SaeDocumentEncoder.open(MODEL, narrow, config(CodesFormat.Precision.HALF, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("128-wide")
                .hasMessageContaining("384 wide");
    }
}
