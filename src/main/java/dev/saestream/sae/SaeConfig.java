package dev.saestream.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.formats.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SAE is, as its SAELens {@code cfg.json} says: shape, architecture, pre-processing and
 * where it was trained. Read from both schemas (v6, with a nested {@code metadata} object, and the
 * older flat one); written in the v6 schema.
 *
 * @param architecture             activation scheme (a built-in {@link Architecture} or a registered one)
 * @param dIn                      activation width at the hook
 * @param dSae                     number of features
 * @param k                        active features per token for topk (an architecture that {@link
 *                                 SaeArchitecture#usesK uses k}); 0 for the others
 * @param rescaleActsByDecoderNorm topk (and others using k) only: rank (and report) pre-activations times ‖W_dec row‖
 * @param applyBDecToInput         subtract b_dec from the (normalised) input before encoding
 * @param normalization            SAELens's normalize_activations
 * @param dtype                    the stored parameter dtype (float32, float16, bfloat16); compute is float32
 * @param modelName                the model the SAE reads, or null
 * @param hookName                 the hook point, or null
 * @param contextSize              tokens per training context, or null
 * @param datasetPath              the training dataset, or null
 * @param id                       an explicit SAE id overriding the derived one, or null
 * @param extraMetadata            metadata keys saestream does not interpret, kept for the round trip
 */
public record SaeConfig(
        SaeArchitecture architecture,
        int dIn,
        int dSae,
        int k,
        boolean rescaleActsByDecoderNorm,
        boolean applyBDecToInput,
        Normalization normalization,
        String dtype,
        String modelName,
        String hookName,
        Integer contextSize,
        String datasetPath,
        String id,
        Map<String, Object> extraMetadata) {

    /** The metadata key that carries an explicit saestream SAE id. */
    public static final String ID_KEY = "saestream_id";
    /** Written so that SAELens reads our files with its v6 loader instead of its pre-6 converter. */
    static final String SCHEMA_VERSION = "6.0.0";

    private static final Set<String> KNOWN_METADATA = Set.of(
            "model_name",
            "hook_name",
            "context_size",
            "dataset_path",
            ID_KEY,
            "sae_lens_version",
            "sae_lens_training_version");
    private static final Pattern LAYER = Pattern.compile("(?:layers?|blocks|h)[._/]?(\\d+)");

    public SaeConfig {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture must not be null");
        }
        if (dIn <= 0) {
            throw new IllegalArgumentException("d_in must be positive, got " + dIn);
        }
        if (dSae <= 0) {
            throw new IllegalArgumentException("d_sae must be positive, got " + dSae);
        }
        if (architecture.usesK() && (k <= 0 || k > dSae)) {
            throw new IllegalArgumentException(
                    "k must be in 1.." + dSae + " for a " + architecture.cfgName() + " SAE, got " + k);
        }
        if (!architecture.usesK()) {
            k = 0;
            rescaleActsByDecoderNorm = false;
        }
        normalization = normalization == null ? Normalization.NONE : normalization;
        dtype = dtype == null ? "float32" : dtype;
        extraMetadata = extraMetadata == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraMetadata));
    }

    /** A plain float32 config with no metadata, for SAEs built in code (training, tests). */
    public static SaeConfig of(SaeArchitecture architecture, int dIn, int dSae, int k) {
        return new SaeConfig(
                architecture,
                dIn,
                dSae,
                k,
                false,
                true,
                Normalization.NONE,
                "float32",
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public SaeConfig withId(String newId) {
        return new SaeConfig(
                architecture,
                dIn,
                dSae,
                k,
                rescaleActsByDecoderNorm,
                applyBDecToInput,
                normalization,
                dtype,
                modelName,
                hookName,
                contextSize,
                datasetPath,
                newId,
                extraMetadata);
    }

    public SaeConfig withNormalization(Normalization n) {
        return new SaeConfig(
                architecture,
                dIn,
                dSae,
                k,
                rescaleActsByDecoderNorm,
                applyBDecToInput,
                n,
                dtype,
                modelName,
                hookName,
                contextSize,
                datasetPath,
                id,
                extraMetadata);
    }

    /**
     * The SAE's stable id: the explicit one if set, else {@code model/layerN/arch-width} (for
     * example {@code all-minilm-l6-v2/layer3/topk-3072}), with the hook name itself when no layer
     * number can be read from it.
     */
    public String derivedId() {
        if (id != null && !id.isBlank()) {
            return id;
        }
        String model = modelName == null || modelName.isBlank() ? "unknown-model" : slug(modelName);
        String hook = "unknown-hook";
        if (hookName != null && !hookName.isBlank()) {
            Matcher m = LAYER.matcher(hookName.toLowerCase(Locale.ROOT));
            hook = m.find() ? "layer" + m.group(1) : slug(hookName);
        }
        return model + "/" + hook + "/" + architecture.cfgName() + "-" + dSae;
    }

    private static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "x" : t;
    }

    /** Reads a cfg.json tree in either schema; unknown keys are ignored. */
    public static SaeConfig fromCfgJson(JsonNode cfg, String source) {
        if (cfg == null || !cfg.isObject()) {
            throw new IllegalArgumentException(source + " is not a JSON object");
        }
        JsonNode meta = cfg.path("metadata");
        String activationFn = text(cfg, "activation_fn", text(cfg, "activation_fn_str", null));
        String archName = text(cfg, "architecture", null);
        int k = cfg.path("k").asInt(0);
        if ("topk".equals(activationFn)) {
            // pre-6 schema: topk is an activation function of the standard architecture
            archName = "topk";
            int kwK = cfg.path("activation_fn_kwargs").path("k").asInt(0);
            k = kwK > 0 ? kwK : k;
        } else if (activationFn != null && !"relu".equals(activationFn) && archName == null) {
            throw new IllegalArgumentException(
                    source + ": activation function '" + activationFn + "' is not supported (want relu or topk)");
        }
        SaeArchitecture arch = SaeArchitectures.forCfgName(archName);
        if (!cfg.hasNonNull("d_in") || !cfg.hasNonNull("d_sae")) {
            throw new IllegalArgumentException(source + " must give d_in and d_sae");
        }
        if (cfg.path("finetuning_scaling_factor").asBoolean(false)) {
            throw new IllegalArgumentException(
                    source + " uses finetuning_scaling_factor, which saestream does not support");
        }
        JsonNode norm = cfg.get("normalize_activations");
        Normalization normalization;
        if (norm == null || norm.isNull()) {
            normalization = Normalization.NONE;
        } else if (norm.isBoolean()) {
            // pre-6 schema: true meant the dataset-wide expected-norm scaling
            normalization = norm.asBoolean() ? Normalization.EXPECTED_AVERAGE_ONLY_IN : Normalization.NONE;
        } else {
            normalization = Normalization.fromCfg(norm.asText());
        }
        String dtype = text(cfg, "dtype", "float32");
        if (dtype.startsWith("torch.")) {
            dtype = dtype.substring("torch.".length());
        }
        String model = text(meta, "model_name", text(cfg, "model_name", null));
        String hook = text(meta, "hook_name", text(cfg, "hook_name", text(cfg, "hook_point", null)));
        JsonNode ctx = meta.has("context_size") ? meta.get("context_size") : cfg.get("context_size");
        Integer contextSize = ctx == null || ctx.isNull() ? null : ctx.asInt();
        String dataset = text(meta, "dataset_path", text(cfg, "dataset_path", null));
        Map<String, Object> extra = new LinkedHashMap<>();
        if (meta.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!KNOWN_METADATA.contains(e.getKey())) {
                    extra.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
                }
            }
        }
        try {
            return new SaeConfig(
                    arch,
                    cfg.get("d_in").asInt(),
                    cfg.get("d_sae").asInt(),
                    k,
                    cfg.path("rescale_acts_by_decoder_norm").asBoolean(false),
                    cfg.path("apply_b_dec_to_input").asBoolean(true),
                    normalization,
                    dtype,
                    model,
                    hook,
                    contextSize,
                    dataset,
                    text(meta, ID_KEY, null),
                    extra);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** This config as a SAELens v6 cfg.json tree. */
    public ObjectNode toCfgJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("architecture", architecture.cfgName());
        o.put("d_in", dIn);
        o.put("d_sae", dSae);
        o.put("dtype", dtype);
        o.put("device", "cpu");
        o.put("apply_b_dec_to_input", applyBDecToInput);
        o.put("normalize_activations", normalization.cfgName());
        o.put("reshape_activations", "none");
        if (architecture.usesK()) {
            o.put("k", k);
            o.put("rescale_acts_by_decoder_norm", rescaleActsByDecoderNorm);
        }
        ObjectNode meta = o.putObject("metadata");
        meta.put("sae_lens_version", SCHEMA_VERSION);
        meta.put("sae_lens_training_version", SCHEMA_VERSION);
        extraMetadata.forEach((key, value) -> meta.set(key, Json.MAPPER.valueToTree(value)));
        meta.put("model_name", modelName);
        meta.put("hook_name", hookName);
        if (contextSize != null) {
            meta.put("context_size", contextSize);
        }
        if (datasetPath != null) {
            meta.put("dataset_path", datasetPath);
        }
        if (id != null) {
            meta.put(ID_KEY, id);
        }
        return o;
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }
}
