package dev.saestream.sae;

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
}
