package dev.saestream.sae;

/**
 * Where a trained SAE's activations came from, written to its cfg.json metadata; every field may
 * be null.
 *
 * @param modelName   the model
 * @param hookName    the hook point
 * @param contextSize tokens per context
 * @param datasetPath the dataset
 * @param id          an explicit SAE id, overriding the derived one
 */
public record SaeProvenance(String modelName, String hookName, Integer contextSize, String datasetPath, String id) {
    public static final SaeProvenance UNKNOWN = new SaeProvenance(null, null, null, null, null);
}
