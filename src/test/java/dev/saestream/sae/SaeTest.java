package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.formats.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaeTest {
    @TempDir
    Path dir;

    static Sae randomSae(Architecture arch, Normalization norm, long seed) {
        SaeConfig c = new SaeConfig(
                arch,
                12,
                30,
                arch == Architecture.TOPK ? 4 : 0,
                arch == Architecture.TOPK,
                true,
                norm,
                "float32",
                "all-MiniLM-L6-v2",
                "/encoder/layer.3/output/LayerNorm/Add_1_output_0",
                256,
                "europarl",
                null,
                Map.of("prepend_bos", true));
        SaeWeights w = SaeWeights.zeros(c);
        Random rnd = new Random(seed);
        for (float[] a :
                new float[][] {w.wEnc(), w.bEnc(), w.wDec(), w.bDec(), w.threshold(), w.bGate(), w.bMag(), w.rMag()}) {
            if (a != null) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (0.3 * rnd.nextGaussian());
                }
            }
        }
        float[] sparsity = new float[30];
        for (int i = 0; i < sparsity.length; i++) {
            sparsity[i] = (float) (-1 - 3 * rnd.nextDouble());
        }
        return Sae.of(c, w, sparsity);
    }

    @Test
    void saveThenLoadIsExactForEveryArchitecture() throws IOException {
        for (Architecture arch : Architecture.values()) {
            // given
            Sae sae = randomSae(arch, Normalization.LAYER_NORM, arch.ordinal());
            Path d = dir.resolve(arch.cfgName());

            // when
            sae.save(d);
            Sae back = Sae.load(d);

            // then
            assertThat(back.config()).as(arch.cfgName()).isEqualTo(sae.config());
            SaeWeights a = sae.weights();
            SaeWeights b = back.weights();
            assertThat(b.wEnc()).containsExactly(a.wEnc());
            assertThat(b.wDec()).containsExactly(a.wDec());
            assertThat(b.bDec()).containsExactly(a.bDec());
            assertThat(Arrays.equals(b.bEnc(), a.bEnc())).isTrue();
            assertThat(Arrays.equals(b.threshold(), a.threshold())).isTrue();
            assertThat(Arrays.equals(b.bGate(), a.bGate())).isTrue();
            assertThat(Arrays.equals(b.bMag(), a.bMag())).isTrue();
            assertThat(Arrays.equals(b.rMag(), a.rMag())).isTrue();
            assertThat(back.logSparsity()).containsExactly(sae.logSparsity());
            assertThat(back.id()).isEqualTo("all-minilm-l6-v2/layer3/" + arch.cfgName() + "-30");
        }
    }

    @Test
    void savedConfigUsesTheV6SchemaWithMetadata() throws IOException {
        randomSae(Architecture.TOPK, Normalization.NONE, 1).save(dir);
        var cfg = dev.saestream.formats.Json.MAPPER.readTree(
                dir.resolve(Sae.CFG_FILE).toFile());
        assertThat(cfg.get("architecture").asText()).isEqualTo("topk");
        assertThat(cfg.get("k").asInt()).isEqualTo(4);
        assertThat(cfg.path("metadata").path("hook_name").asText()).startsWith("/encoder/layer.3/");
        assertThat(cfg.path("metadata").path("model_name").asText()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(cfg.path("metadata").path("context_size").asInt()).isEqualTo(256);
        assertThat(cfg.path("metadata").path("dataset_path").asText()).isEqualTo("europarl");
        assertThat(cfg.path("metadata").path("prepend_bos").asBoolean()).isTrue();
        assertThat(cfg.path("metadata").path("sae_lens_version").asText()).isEqualTo("6.0.0");
    }

    @Test
    void flatSchemaIsMappedToTheSameConfig() throws IOException {
        // given: a pre-6 cfg.json (the F16 fixtures use it)
        Sae sae = Sae.load(SaeFixtures.root().resolve("topk-layer_norm-f16"));

        // then
        SaeConfig c = sae.config();
        assertThat(c.architecture()).isEqualTo(Architecture.TOPK);
        assertThat(c.k()).isEqualTo(5);
        assertThat(c.hookName()).isEqualTo("blocks.3.hook_resid_post");
        assertThat(c.dtype()).isEqualTo("float16");
        assertThat(c.normalization()).isEqualTo(Normalization.LAYER_NORM);
        assertThat(c.contextSize()).isEqualTo(128);
        assertThat(sae.id()).isEqualTo("fixture-model/layer3/topk-40");
    }

    @Test
    void idCanBeOverriddenAndSurvivesSaving() throws IOException {
        Sae sae = randomSae(Architecture.STANDARD, Normalization.NONE, 2).withId("mine/v2");
        sae.save(dir);
        assertThat(Sae.load(dir).id()).isEqualTo("mine/v2");
    }

    @Test
    void nonFiniteActivationsAreRefusedNamingTheRow() {
        Sae sae = randomSae(Architecture.TOPK, Normalization.NONE, 3);
        float[] x = new float[3 * 12];
        x[2 * 12 + 5] = Float.NaN;
        assertThatThrownBy(() -> sae.encode(x, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 2")
                .hasMessageContaining("NaN");
        x[2 * 12 + 5] = 0;
        x[12] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> new ReferenceEncoder(sae).encode(x, 3))
                .hasMessageContaining("row 1")
                .hasMessageContaining("infinite");
    }

    @Test
    void widthThatDoesNotMatchTheHookIsAClearError() {
        Sae sae = randomSae(Architecture.TOPK, Normalization.NONE, 4);
        assertThatThrownBy(() -> sae.encode(new float[2 * 13], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("d_in 12")
                .hasMessageContaining("hook /encoder/layer.3");
    }

    @Test
    void weightsThatDoNotMatchTheConfigAreAClearError() throws IOException {
        randomSae(Architecture.STANDARD, Normalization.NONE, 5).save(dir);
        String cfg = Files.readString(dir.resolve(Sae.CFG_FILE)).replace("\"d_sae\" : 30", "\"d_sae\" : 31");
        Files.writeString(dir.resolve(Sae.CFG_FILE), cfg);
        assertThatThrownBy(() -> Sae.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("shape [12, 30]")
                .hasMessageContaining("d_sae 31");
    }

    @Test
    void corruptWeightsFileIsAClearError() throws IOException {
        randomSae(Architecture.STANDARD, Normalization.NONE, 6).save(dir);
        Path w = dir.resolve(Sae.WEIGHTS_FILE);
        byte[] all = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> Sae.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }

    @Test
    void perTokenNormalisationNeedsTheInputToDecode() {
        Sae sae = randomSae(Architecture.STANDARD, Normalization.CONSTANT_NORM_RESCALE, 7);
        float[] x = new float[12];
        Arrays.fill(x, 1f);
        SparseCode[] codes = sae.encode(x, 1);
        assertThatThrownBy(() -> sae.decode(codes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("decode(codes, x)");
        assertThat(sae.decode(codes, x)).hasSize(12);
    }

    @Test
    void linearStyleTensorNamesAreOrientedByShape() throws IOException {
        // given: the BF16 fixtures store encoder.weight as [d_sae, d_in]
        Sae linear = Sae.load(SaeFixtures.root().resolve("standard-none-bf16"));

        // then: the same codes as NumPy computed with W_enc = encoder.weight.T
        var x = SaeFixtures.npy("standard-none-bf16", "x.npy");
        assertThat(linear.encode(x.floats(), x.rows())[0].indices())
                .containsExactly(SaeFixtures.expectedCodes("standard-none-bf16")[0].indices());
        Map<String, Safetensors.Tensor> t = Safetensors.read(
                        SaeFixtures.root().resolve("standard-none-bf16").resolve(Sae.WEIGHTS_FILE))
                .tensors();
        assertThat(t.get("encoder.weight").shape()).containsExactly(40, 16);
    }
}
