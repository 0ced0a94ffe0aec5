package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.formats.Safetensors;
import dev.saestream.formats.Safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding an architecture is one class: a toy one, defined and registered here, loads from a
 * SAELens directory, encodes in every encoder as a brute-force computation says it should, and
 * saves and loads again.
 */
class ToyArchitectureTest {
    private static final int D_IN = 12;
    private static final int D_SAE = 40;
    private static final int ROWS = 30;

    /**
     * scaled_relu: s ∘ ReLU(x W_enc + b_enc) with s a per-feature parameter of its own, {@code
     * act_scale}, which no built-in knows.
     */
    static final class ScaledRelu implements SaeArchitecture {
        static final ScaledRelu INSTANCE = new ScaledRelu();

        @Override
        public String cfgName() {
            return "scaled_relu";
        }

        @Override
        public List<String> parameters() {
            return List.of("b_enc", "act_scale");
        }

        @Override
        public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
            return new Bound(
                    config.dSae(), weights.parameter("act_scale"), List.of(Activation.PreActivation.encoder(weights)));
        }

        private record Bound(int dSae, float[] scale, List<PreActivation> preActivations) implements Activation {
            @Override
            public SparseCode activate(float[][] pre, int off, long[] scratch) {
                int n = 0;
                for (int j = 0; j < dSae; j++) {
                    float v = scale[j] * Math.max(pre[0][off + j], 0f);
                    if (v > 0f) {
                        scratch[n++] = ByValueDescending.key(v, j);
                    }
                }
                return SparseCode.ofKeys(scratch, n);
            }

            @Override
            public SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k) {
                String acts = nodes.op("Mul", nodes.op("Relu", pre.get(0)), nodes.init("act_scale", scale, dSae));
                return nodes.variableL0Codes(acts, dSae, k);
            }
        }
    }

    @TempDir
    Path dir;

    private final Random random = new Random(15);
    private final float[] wEnc = gaussian(D_IN * D_SAE);
    private final float[] bEnc = gaussian(D_SAE);
    private final float[] wDec = gaussian(D_SAE * D_IN);
    private final float[] bDec = gaussian(D_IN);
    private final float[] actScale = positive(D_SAE);
    private final float[] x = gaussian(ROWS * D_IN);

    @BeforeAll
    static void register() {
        SaeArchitectures.register(ScaledRelu.INSTANCE);
    }

    @Test
    void aRegisteredArchitectureLoadsFromASaeLensDirectory() throws IOException {
        // given
        Path saeDir = writeSaeLensDirectory(dir.resolve("toy"), true);

        // when
        Sae sae = Sae.load(saeDir);

        // then
        assertThat(sae.config().architecture()).isSameAs(ScaledRelu.INSTANCE);
        assertThat(sae.id()).isEqualTo("toy-model/layer2/scaled_relu-" + D_SAE);
        assertThat(sae.weights().parameter("act_scale")).containsExactly(actScale);
        assertThat(sae.weights().bEnc()).containsExactly(bEnc);
    }

    @Test
    void everyEncoderMatchesABruteForceComputation() throws IOException {
        // given
        Sae sae = Sae.load(writeSaeLensDirectory(dir.resolve("toy"), true));
        SparseCode[] want = bruteForce();

        // when: ONNX Runtime (kMax 3 makes most tokens overflow into the exact path), plain and blocked Java
        List<SaeEncoder> encoders = List.of(
                SaeEncoders.onnx(sae, 1, OnnxSaeEncoder.DEFAULT_K_MAX),
                SaeEncoders.onnx(sae, 1, 3),
                SaeEncoders.reference(sae),
                SaeEncoders.blocked(sae, 2));

        // then
        for (SaeEncoder encoder : encoders) {
            try (encoder) {
                assertMatches(encoder.encode(x, ROWS), want, encoder.name());
            }
        }
        assertMatches(sae.encode(x, ROWS), want, "Sae.encode");
    }

    @Test
    void savedInSaeLensFormatItLoadsAgainUnchanged() throws IOException {
        // given
        Sae sae = Sae.load(writeSaeLensDirectory(dir.resolve("toy"), true));

        // when
        Path exported = dir.resolve("exported");
        sae.save(exported);
        Sae back = Sae.load(exported);

        // then
        assertThat(Safetensors.read(exported.resolve(Sae.WEIGHTS_FILE))
                        .tensors()
                        .keySet())
                .containsExactly("W_enc", "b_enc", "W_dec", "b_dec", "act_scale");
        assertThat(Files.readString(exported.resolve(Sae.CFG_FILE))).contains("\"architecture\" : \"scaled_relu\"");
        assertThat(back.config()).isEqualTo(sae.config());
        assertThat(back.weights().parameter("act_scale")).containsExactly(actScale);
        assertThat(back.weights().wEnc()).containsExactly(wEnc);
        assertThat(back.encode(x, ROWS)).containsExactly(sae.encode(x, ROWS));
    }

    @Test
    void aDirectoryWithoutTheArchitecturesOwnParameterIsRefusedNamingIt() throws IOException {
        Path saeDir = writeSaeLensDirectory(dir.resolve("no-scale"), false);

        assertThatThrownBy(() -> Sae.load(saeDir))
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("a scaled_relu SAE needs the parameter act_scale");
    }

    @Test
    void aBuiltInCannotBeReplaced() {
        SaeArchitecture impostor = new SaeArchitecture() {
            @Override
            public String cfgName() {
                return "topk";
            }

            @Override
            public List<String> parameters() {
                return List.of("b_enc");
            }

            @Override
            public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
                throw new UnsupportedOperationException("never bound");
            }
        };

        assertThatThrownBy(() -> SaeArchitectures.register(impostor))
                .hasMessageStartingWith("SAE architecture 'topk' is already registered");
        assertThat(SaeArchitectures.forCfgName("topk")).isSameAs(Architecture.TOPK);
    }

    /** cfg.json as SAELens v6 writes it and the weights as torch would save them, W_enc [d_in, d_sae]. */
    private Path writeSaeLensDirectory(Path saeDir, boolean withScale) throws IOException {
        Files.createDirectories(saeDir);
        Files.writeString(saeDir.resolve(Sae.CFG_FILE), """
                {"architecture": "scaled_relu", "d_in": %d, "d_sae": %d, "dtype": "float32",
                 "apply_b_dec_to_input": true, "normalize_activations": "none",
                 "metadata": {"model_name": "toy-model", "hook_name": "blocks.2.hook_resid_post"}}
                """.formatted(D_IN, D_SAE));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", Tensor.f32(wEnc, D_IN, D_SAE));
        tensors.put("b_enc", Tensor.f32(bEnc, D_SAE));
        tensors.put("W_dec", Tensor.f32(wDec, D_SAE, D_IN));
        tensors.put("b_dec", Tensor.f32(bDec, D_IN));
        if (withScale) {
            tensors.put("act_scale", Tensor.f32(actScale, D_SAE));
        }
        Safetensors.write(saeDir.resolve(Sae.WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        return saeDir;
    }

    /** act_scale ∘ ReLU((x − b_dec) W_enc + b_enc) in double, row by row; positive entries by value descending, then index. */
    private SparseCode[] bruteForce() {
        SparseCode[] out = new SparseCode[ROWS];
        for (int r = 0; r < ROWS; r++) {
            List<double[]> active = new ArrayList<>();
            for (int j = 0; j < D_SAE; j++) {
                double pre = bEnc[j];
                for (int p = 0; p < D_IN; p++) {
                    pre += ((double) x[r * D_IN + p] - bDec[p]) * wEnc[p * D_SAE + j];
                }
                double a = actScale[j] * Math.max(pre, 0);
                if (a > 0) {
                    active.add(new double[] {a, j});
                }
            }
            active.sort(Comparator.<double[]>comparingDouble(e -> -e[0]).thenComparingDouble(e -> e[1]));
            int[] indices = new int[active.size()];
            float[] values = new float[active.size()];
            for (int i = 0; i < indices.length; i++) {
                values[i] = (float) active.get(i)[0];
                indices[i] = (int) active.get(i)[1];
            }
            out[r] = new SparseCode(indices, values);
        }
        return out;
    }

    private static void assertMatches(SparseCode[] got, SparseCode[] want, String encoder) {
        assertThat(got).as(encoder).hasSameSizeAs(want);
        for (int r = 0; r < want.length; r++) {
            assertThat(got[r].indices()).as("%s, token %d", encoder, r).containsExactly(want[r].indices());
            for (int i = 0; i < want[r].size(); i++) {
                assertThat(got[r].values()[i])
                        .as("%s, token %d", encoder, r)
                        .isCloseTo(want[r].values()[i], within(1e-5f * Math.max(1f, want[r].values()[i])));
            }
        }
    }

    private float[] gaussian(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (0.3 * random.nextGaussian());
        }
        return a;
    }

    private float[] positive(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (0.5 + random.nextDouble());
        }
        return a;
    }
}
