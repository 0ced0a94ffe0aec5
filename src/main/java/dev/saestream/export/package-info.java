/**
 * Export: writes one SAE's catalogue, as it stands on the public topics, in formats other tools
 * read. Takes the latest {@code saestream.features} record and the latest {@code saestream.labels}
 * record per feature of the SAE asked for ({@link dev.saestream.export.CatalogueSnapshot}), and
 * optionally the SAE directory itself (for decoder cosines and SAELens's files). Gives out a
 * directory: Neuronpedia's bulk export layout ({@link dev.saestream.export.NeuronpediaExport},
 * with the scores Neuronpedia's own export leaves out in an extra {@code explanation_scores/}
 * folder), a SAELens SAE directory with {@code sparsity.safetensors} recomputed from the observed
 * densities ({@link dev.saestream.export.SaeLensExport}), or one JSON line per feature with its
 * label ({@link dev.saestream.export.JsonlExport}); and an {@link dev.saestream.export.ExportSummary}.
 * Depends on catalog, label, sae, kafka, formats and config; never on cli or serve.
 */
package dev.saestream.export;
