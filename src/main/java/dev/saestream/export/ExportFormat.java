package dev.saestream.export;

/** What {@code saestream export --format} writes. */
public enum ExportFormat {
    /** Neuronpedia's bulk export layout: {@code v1/config/} and {@code v1/<model>/<source>/}. */
    NEURONPEDIA,
    /** A SAELens SAE directory: cfg.json, sae_weights.safetensors, sparsity.safetensors. */
    SAELENS,
    /** {@code features.jsonl}: one feature state and its label per line. */
    JSONL
}
