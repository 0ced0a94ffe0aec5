package dev.saestream.sae;

import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a trained SAE's activations came from, written to its cfg.json metadata; every field may
 * be null.
 *
 * @param modelName   the model
 * @param hookName    the hook point
 * @param contextSize tokens per context
 * @param datasetPath the dataset
 * @param id          an explicit SAE id, overriding the derived one
 * @param extra       further metadata entries (JSON values), e.g. how documents were chosen
 */
public record SaeProvenance(
        String modelName,
        String hookName,
        Integer contextSize,
        String datasetPath,
        String id,
        Map<String, Object> extra) {
    public static final SaeProvenance UNKNOWN = new SaeProvenance(null, null, null, null, null);

    public SaeProvenance {
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public SaeProvenance(String modelName, String hookName, Integer contextSize, String datasetPath, String id) {
        this(modelName, hookName, contextSize, datasetPath, id, null);
    }

    /**
     * The provenance of an SAE trained on {@code transformer}'s activations: what is given explicitly,
     * else what the transformer says, and how its documents were cut and split. Ordered maps, so that a
     * repeated run writes the same cfg.json byte for byte.
     */
    public static SaeProvenance of(
            Transformer transformer,
            ModelConfig mc,
            String modelName,
            String hookName,
            Integer contextSize,
            String dataset,
            String id) {
        Map<String, Object> hook = new LinkedHashMap<>();
        hook.put("alias", transformer.hook().alias());
        hook.put("tensor", transformer.hook().tensor());
        Map<String, Object> documents = new LinkedHashMap<>();
        documents.put("split", DocumentSplit.description());
        documents.put("special_tokens", mc.includeSpecialTokens());
        documents.put("window_overlap", mc.overlap());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("saestream_hook", hook);
        extra.put("saestream_documents", documents);
        return new SaeProvenance(
                modelName != null ? modelName : transformer.modelId(),
                hookName != null ? hookName : transformer.hook().saeLensName(),
                contextSize != null ? contextSize : transformer.maxTokens(),
                dataset,
                id,
                extra);
    }
}
