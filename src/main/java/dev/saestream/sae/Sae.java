package dev.saestream.sae;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.formats.Safetensors;
import dev.saestream.formats.Safetensors.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sparse autoencoder: its {@link SaeConfig}, its weights, and (when known) each feature's log10
 * firing rate. Loads and saves SAELens directories ({@code cfg.json}, {@code
 * sae_weights.safetensors}, optional {@code sparsity.safetensors}). Immutable and thread-safe.
 */
public final class Sae {
    public static final String CFG_FILE = "cfg.json";
    public static final String WEIGHTS_FILE = "sae_weights.safetensors";
    public static final String SPARSITY_FILE = "sparsity.safetensors";
    private static final Logger log = LoggerFactory.getLogger(Sae.class);

    private final SaeConfig config;
    private final SaeWeights weights;
    private final float[] logSparsity;
    private final float[] decoderNorms;
    private final Activation activation;
    private volatile SaeEncoder encoder;

    private Sae(SaeConfig config, SaeWeights weights, float[] logSparsity) {
        weights.check(config);
        if (logSparsity != null && logSparsity.length != config.dSae()) {
            throw new IllegalArgumentException(
                    "sparsity has " + logSparsity.length + " values but d_sae is " + config.dSae());
        }
        this.config = config;
        this.weights = weights;
        this.logSparsity = logSparsity;
        int dIn = config.dIn();
        int dSae = config.dSae();
        decoderNorms = new float[dSae];
        for (int j = 0; j < dSae; j++) {
            double s = 0;
            for (int p = 0; p < dIn; p++) {
                double w = weights.wDec()[j * dIn + p];
                s += w * w;
            }
            decoderNorms[j] = (float) Math.sqrt(s);
        }
        activation = config.architecture().bind(config, weights, decoderNorms);
    }

    public static Sae of(SaeConfig config, SaeWeights weights) {
        return new Sae(config, weights, null);
    }

    public static Sae of(SaeConfig config, SaeWeights weights, float[] logSparsity) {
        return new Sae(config, weights, logSparsity);
    }

    public SaeConfig config() {
        return config;
    }

    /** The stable id that namespaces this SAE's features, e.g. {@code all-minilm-l6-v2/layer3/topk-3072}. */
    public String id() {
        return config.derivedId();
    }

    public Sae withId(String id) {
        return new Sae(config.withId(id), weights, logSparsity);
    }

    public SaeWeights weights() {
        return weights;
    }

    /** The decoder [d_sae × d_in], row j being feature j's direction; read-only view. */
    public FloatBuffer decoder() {
        return FloatBuffer.wrap(weights.wDec()).asReadOnlyBuffer();
    }

    /** ‖W_dec row j‖ for every feature. */
    public float[] decoderNorms() {
        return decoderNorms.clone();
    }

    /** log10 of each feature's firing rate from {@code sparsity.safetensors}, or null when absent. */
    public float[] logSparsity() {
        return logSparsity == null ? null : logSparsity.clone();
    }

    float[] decoderNormsShared() {
        return decoderNorms;
    }

    /**
     * The d_in × d_sae matrix products encoding one token takes (gated SAEs take two): public so
     * that a benchmark can turn tokens/s into FLOP/s without reaching into the architecture.
     */
    public int encoderProducts() {
        return activation.preActivations().size();
    }

    /** The architecture bound to these weights: what every encoder runs after its matrix products. */
    Activation activation() {
        return activation;
    }

    /**
     * Each row's active features, sorted by value descending, ties by index. {@code x} is
     * row-major [rows × d_in]; NaN or infinite values are refused, naming the row.
     */
    public SparseCode[] encode(float[] x, int rows) {
        return encoder().encode(x, rows);
    }

    /** The encoder {@link #encode} uses: the fastest one that matches the reference (see {@link SaeEncoders}). */
    public SaeEncoder encoder() {
        SaeEncoder e = encoder;
        if (e == null) {
            synchronized (this) {
                if (encoder == null) {
                    encoder = SaeEncoders.defaultEncoder(this);
                }
                e = encoder;
            }
        }
        return e;
    }

    /**
     * The reconstruction of each token from its code. For the per-token normalisations
     * (constant_norm_rescale, layer_norm) undoing the scale needs the input: use {@link
     * #decode(SparseCode[], float[])}.
     */
    public float[] decode(SparseCode[] codes) {
        if (config.normalization().perToken()) {
            throw new IllegalStateException(
                    "this SAE normalises each token (" + config.normalization().cfgName()
                            + "), so decoding needs the input activations: call decode(codes, x)");
        }
        return SaeMath.decode(this, codes, null);
    }

    /** The reconstruction of each token, undoing the per-token normalisation with the statistics of {@code x}. */
    public float[] decode(SparseCode[] codes, float[] x) {
        SaeMath.checkInput(this, x, codes.length);
        return SaeMath.decode(this, codes, x);
    }

    /** decode(encode(x), x). */
    public float[] reconstruct(float[] x, int rows) {
        return decode(encode(x, rows), x);
    }

    // ---------------------------------------------------------------- SAELens directories

    /** Loads a SAELens directory: cfg.json (either schema), sae_weights.safetensors, optional sparsity. */
    public static Sae load(Path dir) throws IOException {
        Path cfgPath = dir.resolve(CFG_FILE);
        Path weightsPath = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(cfgPath)) {
            throw new IOException(dir + " is not an SAE directory: it has no " + CFG_FILE);
        }
        if (!Files.isRegularFile(weightsPath)) {
            throw new IOException(dir + " is not an SAE directory: it has no " + WEIGHTS_FILE);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(cfgPath.toFile());
        } catch (IOException e) {
            throw new IOException(cfgPath + " is not valid JSON: " + e.getMessage(), e);
        }
        SaeConfig config = SaeConfig.fromCfgJson(tree, cfgPath.toString());
        Map<String, Tensor> tensors = Safetensors.read(weightsPath).tensors();
        SaeWeights weights = weightsFrom(tensors, config, weightsPath);
        float[] sparsity = null;
        Path sparsityPath = dir.resolve(SPARSITY_FILE);
        if (Files.isRegularFile(sparsityPath)) {
            Map<String, Tensor> s = Safetensors.read(sparsityPath).tensors();
            Tensor t = s.containsKey("sparsity")
                    ? s.get("sparsity")
                    : s.size() == 1 ? s.values().iterator().next() : null;
            if (t == null) {
                throw new IOException(sparsityPath + " has no 'sparsity' tensor");
            }
            if (t.values().length != config.dSae()) {
                throw new IOException(
                        sparsityPath + " has " + t.values().length + " values but d_sae is " + config.dSae());
            }
            sparsity = t.values();
        }
        try {
            return new Sae(config, weights, sparsity);
        } catch (IllegalArgumentException e) {
            throw new IOException(weightsPath + ": " + e.getMessage(), e);
        }
    }

    /** Writes cfg.json (v6 schema), sae_weights.safetensors (F32) and, if known, sparsity.safetensors. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        int dIn = config.dIn();
        int dSae = config.dSae();
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", Tensor.f32(weights.wEnc(), dIn, dSae));
        List<String> parameters = config.architecture().parameters();
        // SAELens's order: the encoder's bias beside it, the architecture's own parameters last
        if (parameters.contains("b_enc")) {
            t.put("b_enc", Tensor.f32(weights.bEnc(), dSae));
        }
        t.put("W_dec", Tensor.f32(weights.wDec(), dSae, dIn));
        t.put("b_dec", Tensor.f32(weights.bDec(), dIn));
        for (String name : parameters) {
            if (!name.equals("b_enc")) {
                t.put(name, Tensor.f32(weights.parameter(name), dSae));
            }
        }
        Safetensors.write(dir.resolve(WEIGHTS_FILE), t, Map.of("format", "pt"));
        SaeConfig written = new SaeConfig(
                config.architecture(),
                dIn,
                dSae,
                config.k(),
                config.rescaleActsByDecoderNorm(),
                config.applyBDecToInput(),
                config.normalization(),
                "float32",
                config.modelName(),
                config.hookName(),
                config.contextSize(),
                config.datasetPath(),
                config.id(),
                config.extraMetadata());
        Json.MAPPER
                .writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(CFG_FILE).toFile(), written.toCfgJson());
        if (logSparsity != null) {
            Safetensors.write(
                    dir.resolve(SPARSITY_FILE),
                    Map.of("sparsity", Tensor.f32(logSparsity, dSae)),
                    Map.of("format", "pt"));
        }
    }

    /**
     * Maps stored tensors to parameters. SAELens names (W_enc, b_enc, W_dec, b_dec, threshold,
     * b_gate, b_mag, r_mag) and the torch.nn.Linear ones (encoder.weight, …) are both accepted;
     * each matrix's orientation is read from its shape, and only a square one falls back on the
     * naming convention.
     */
    private static SaeWeights weightsFrom(Map<String, Tensor> t, SaeConfig c, Path file) throws IOException {
        String where = file.toString();
        Tensor enc = first(t, "W_enc", "encoder.weight");
        Tensor dec = first(t, "W_dec", "decoder.weight");
        if (enc == null || dec == null) {
            throw new IOException(where + " needs an encoder (W_enc) and a decoder (W_dec); it has " + t.keySet());
        }
        float[] wEnc = oriented(enc, c.dIn(), c.dSae(), t.containsKey("W_enc"), "encoder", where, c);
        float[] wDec = oriented(dec, c.dSae(), c.dIn(), t.containsKey("W_dec"), "decoder", where, c);
        float[] bDec = values(first(t, "b_dec", "decoder.bias"));
        if (bDec == null) {
            throw new IOException(where + " has no decoder bias (b_dec)");
        }
        float[] threshold = values(t.get("threshold"));
        if (threshold == null && t.containsKey("log_threshold")) {
            // older JumpReLU checkpoints store log(threshold)
            float[] lt = t.get("log_threshold").values();
            threshold = new float[lt.length];
            for (int i = 0; i < lt.length; i++) {
                threshold[i] = (float) Math.exp(lt[i]);
            }
        }
        Tensor scaling = t.get("scaling_factor");
        if (scaling != null) {
            for (float v : scaling.values()) {
                if (v != 1f) {
                    throw new IOException(where + " has a scaling_factor other than 1 (a SAELens 5 finetuning scale),"
                            + " which saestream does not support");
                }
            }
        }
        List<String> parameters = c.architecture().parameters();
        for (String name : t.keySet()) {
            if (!KNOWN_TENSORS.contains(name) && !parameters.contains(name)) {
                log.warn(
                        "{}: ignoring tensor '{}', which the {} architecture does not use",
                        where,
                        name,
                        c.architecture().cfgName());
            }
        }
        Map<String, float[]> perFeature = new LinkedHashMap<>();
        perFeature.put("b_enc", values(first(t, "b_enc", "encoder.bias")));
        perFeature.put("threshold", threshold);
        for (String name : List.of("b_gate", "b_mag", "r_mag")) {
            perFeature.put(name, values(t.get(name)));
        }
        for (String name : parameters) {
            perFeature.putIfAbsent(name, values(t.get(name)));
        }
        perFeature.values().removeIf(java.util.Objects::isNull);
        return SaeWeights.of(wEnc, wDec, bDec, perFeature);
    }

    private static final java.util.Set<String> KNOWN_TENSORS = java.util.Set.of(
            "W_enc",
            "encoder.weight",
            "W_dec",
            "decoder.weight",
            "b_enc",
            "encoder.bias",
            "b_dec",
            "decoder.bias",
            "threshold",
            "log_threshold",
            "b_gate",
            "b_mag",
            "r_mag",
            "scaling_factor");

    private static float[] oriented(
            Tensor m, int rows, int cols, boolean saeLensName, String what, String where, SaeConfig c)
            throws IOException {
        int[] s = m.shape();
        if (s.length != 2) {
            throw new IOException(where + ": the " + what + " has shape " + Arrays.toString(s) + ", want a matrix");
        }
        boolean asIs = s[0] == rows && s[1] == cols;
        boolean transposed = s[0] == cols && s[1] == rows;
        if (!asIs && !transposed) {
            throw new IOException(where + ": the " + what + " has shape " + Arrays.toString(s)
                    + " but cfg.json says d_in " + c.dIn() + " and d_sae " + c.dSae());
        }
        if (asIs && (!transposed || saeLensName)) {
            return m.values();
        }
        float[] out = new float[rows * cols];
        float[] v = m.values();
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col++) {
                out[r * cols + col] = v[col * rows + r];
            }
        }
        return out;
    }

    private static Tensor first(Map<String, Tensor> t, String a, String b) {
        return t.containsKey(a) ? t.get(a) : t.get(b);
    }

    private static float[] values(Tensor t) {
        return t == null ? null : t.values();
    }
}
