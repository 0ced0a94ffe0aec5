package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.bench.SaeBench;
import dev.saestream.corpus.Document;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The downstream score against a stand-in model: hook activations drawn from each document's
 * text, and an "embedding" that is a fixed linear map of the mean-pooled hook plus a bias.
 */
class DownstreamFidelityTest {
    static final int D = 6;
    static final int E = 4;
    static final List<Document> DOCS = List.of(
            new Document("a", "the first document", null, null, null),
            new Document("b", "a second, longer document with more tokens", null, null, null),
            new Document("c", "third", null, null, null));

    /** A linear map M [D × E] and bias c: embed(h) = mean_t(h_t) M + c. */
    static final class LinearMeanPool implements HookSplice {
        final float[] m = new float[D * E];
        final float[] c = new float[E];

        LinearMeanPool(long seed) {
            Random rnd = new Random(seed);
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < E; i++) {
                c[i] = (float) (0.5 * rnd.nextGaussian());
            }
        }

        @Override
        public int hookWidth() {
            return D;
        }

        float[] embed(float[] h, int tokens) {
            float[] out = c.clone();
            for (int t = 0; t < tokens; t++) {
                for (int p = 0; p < D; p++) {
                    for (int e = 0; e < E; e++) {
                        out[e] += h[t * D + p] * m[p * E + e] / tokens;
                    }
                }
            }
            return out;
        }

        @Override
        public Run run(Document document) {
            int tokens = document.text().split(" ").length;
            Random rnd = new Random(document.text().hashCode());
            float[] h = new float[tokens * D];
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) (rnd.nextGaussian() + 0.5);
            }
            return new Run() {
                public int tokens() {
                    return tokens;
                }

                public float[] hookActivations() {
                    return h.clone();
                }

                public float[] cleanEmbedding() {
                    return embed(h, tokens);
                }

                public float[] embedWithHook(float[] replacement) {
                    return embed(replacement, tokens);
                }
            };
        }
    }

    /** relu(x) − relu(−x) = x: a standard SAE that reconstructs every input exactly. */
    static Sae identitySae() {
        SaeConfig c = SaeConfig.of(Architecture.STANDARD, D, 2 * D, 0);
        SaeWeights w = SaeWeights.zeros(c);
        for (int p = 0; p < D; p++) {
            w.wEnc()[p * 2 * D + p] = 1f;
            w.wEnc()[p * 2 * D + D + p] = -1f;
            w.wDec()[p * D + p] = 1f;
            w.wDec()[(D + p) * D + p] = -1f;
        }
        return Sae.of(c, w);
    }

    static DownstreamFidelity score(Sae sae, HookSplice splice) {
        DownstreamFidelity.Accumulator acc = new DownstreamFidelity.Accumulator(sae);
        DOCS.forEach(d -> acc.add(splice, d));
        return acc.result();
    }

    @Test
    void exactReconstructionScoresOne() {
        DownstreamFidelity f = score(identitySae(), new LinearMeanPool(1));
        assertThat(f.meanCosineSae()).isCloseTo(1.0, within(1e-6));
        assertThat(f.score()).isCloseTo(1.0, within(1e-6));
        assertThat(f.documents()).isEqualTo(3);
        assertThat(f.tokens()).isEqualTo(3 + 7 + 1);
    }

    @Test
    void zeroReconstructionScoresZero() {
        // given: W_dec = 0 and b_dec = 0, so every reconstruction is the zero vector
        SaeConfig c = SaeConfig.of(Architecture.STANDARD, D, 2 * D, 0);
        Sae zero = Sae.of(c, SaeWeights.zeros(c));

        // then
        DownstreamFidelity f = score(zero, new LinearMeanPool(2));
        assertThat(f.meanCosineSae()).isEqualTo(f.meanCosineZero());
        assertThat(f.score()).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void scoreIsTheRatioOfMeanCosineDistances() {
        // given: a random topk SAE and the stand-in model
        Sae sae = SaeBench.randomTopK(D, 10, 2, 3);
        LinearMeanPool splice = new LinearMeanPool(3);

        // when
        DownstreamFidelity f = score(sae, splice);

        // then: recomputed here with the reference encoder, one document at a time
        double dSae = 0;
        double dZero = 0;
        for (Document doc : DOCS) {
            HookSplice.Run run = splice.run(doc);
            float[] x = run.hookActivations();
            float[] recon = sae.decode(new ReferenceEncoder(sae).encode(x, run.tokens()), x);
            float[] clean = run.cleanEmbedding();
            dSae += 1 - cos(run.embedWithHook(recon), clean);
            dZero += 1 - cos(run.embedWithHook(new float[x.length]), clean);
        }
        assertThat(f.score()).isCloseTo((dZero - dSae) / dZero, within(1e-6));
        assertThat(f.score()).isLessThan(1.0);
    }

    @Test
    void hookWidthMustMatchTheSae() {
        Sae sae = SaeBench.randomTopK(D + 1, 10, 2, 3);
        assertThatThrownBy(() -> score(sae, new LinearMeanPool(4))).hasMessageContaining("hook is 6 wide");
    }

    private static double cos(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
