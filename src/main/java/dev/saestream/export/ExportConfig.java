package dev.saestream.export;

import dev.saestream.kafka.Topics;

/**
 * The export command (config section {@code export}).
 *
 * @param featuresTopic      topic of feature states
 * @param labelsTopic        topic of labels
 * @param creatorId          Neuronpedia's creatorId / authorId / initiatedByUserId in every row (a user id on the
 *                           instance that imports it)
 * @param creatorName        Neuronpedia's creatorName of the release, source set and types
 * @param batchSize          features (and explanations, scores) per Neuronpedia batch file; Neuronpedia uses 1,024
 * @param quantileGroups     activation quantile groups of the reservoir written as Neuronpedia activations
 * @param similarFeatures    nearest features by decoder cosine per feature (Neuronpedia's topkCosSim)
 * @param modelId            Neuronpedia model id (empty: the SAE id's first part)
 * @param sourceSet          Neuronpedia source set name (empty: {@code saestream-} and the SAE id's last part)
 * @param releaseName        Neuronpedia release name
 * @param modelLayers        the model's layer count for Neuronpedia's model row (0: unknown, written as 0)
 * @param readTimeoutSeconds how long reading a topic to its end may take
 */
public record ExportConfig(
        String featuresTopic,
        String labelsTopic,
        String creatorId,
        String creatorName,
        int batchSize,
        int quantileGroups,
        int similarFeatures,
        String modelId,
        String sourceSet,
        String releaseName,
        int modelLayers,
        long readTimeoutSeconds) {
    public static final String SECTION = "export";

    public ExportConfig {
        for (String[] f : new String[][] {
            {"featuresTopic", featuresTopic},
            {"labelsTopic", labelsTopic},
            {"creatorId", creatorId},
            {"creatorName", creatorName},
            {"releaseName", releaseName}
        }) {
            if (f[1] == null || f[1].isBlank()) {
                throw new IllegalArgumentException("export." + f[0] + " must be given");
            }
        }
        if (batchSize <= 0
                || quantileGroups <= 0
                || similarFeatures < 0
                || modelLayers < 0
                || readTimeoutSeconds <= 0) {
            throw new IllegalArgumentException(
                    "export.batchSize, quantileGroups and readTimeoutSeconds must be positive,"
                            + " similarFeatures and modelLayers >= 0; got " + batchSize + ", " + quantileGroups + ", "
                            + readTimeoutSeconds + ", " + similarFeatures + ", " + modelLayers);
        }
        modelId = modelId == null ? "" : modelId;
        sourceSet = sourceSet == null ? "" : sourceSet;
    }

    public static ExportConfig defaults() {
        return new ExportConfig(
                Topics.FEATURES, Topics.LABELS, "saestream", "saestream", 1024, 5, 10, "", "", "saestream", 0, 120);
    }

    public ExportConfig withCreatorId(String creatorId) {
        return new ExportConfig(
                featuresTopic,
                labelsTopic,
                creatorId,
                creatorName,
                batchSize,
                quantileGroups,
                similarFeatures,
                modelId,
                sourceSet,
                releaseName,
                modelLayers,
                readTimeoutSeconds);
    }
}
