/**
 * The label stage: watches {@code saestream.features}, explains features (an LLM through
 * LangChain4j, or offline from token statistics), scores each explanation on held-out examples
 * and writes {@code saestream.labels}.
 *
 * <p>Takes in {@link dev.saestream.catalog.FeatureState}s (the top windows and a uniform
 * reservoir of each feature) and the background sample of {@link
 * dev.saestream.catalog.BackgroundWindow}s. Gives out {@link dev.saestream.label.Label}s: the
 * explanation, who wrote it, detection / fuzzing / simulation / embedding {@link
 * dev.saestream.label.Score}s each with n, a 95% interval and its parse-failure rate, the {@link
 * dev.saestream.label.Cost} in LLM tokens, the feature version and evidence used, and earlier
 * labels. The pieces: {@link dev.saestream.label.ExampleSampler} (disjoint explanation and
 * scoring samples), the {@link dev.saestream.label.Explainer}s and {@link
 * dev.saestream.label.Scorer}s, {@link dev.saestream.label.LlmClient} (retries, limits,
 * metering), {@link dev.saestream.label.Labeller} (one feature), {@link
 * dev.saestream.label.RelabelPolicy} (when), {@link dev.saestream.label.LabelService} (the
 * consumer group and the handover of partitions) with its {@code LabelScheduler} (which feature
 * next), {@code FeatureFetcher} (a pending feature's state by offset) and {@code LabelCounters},
 * {@link dev.saestream.label.LabelOnce} ({@code label --once}) and {@link
 * dev.saestream.label.Relabel} ({@code label --reprocess}); {@link dev.saestream.label.LabelConfig}
 * is the configuration, grouped as its YAML section is. Depends on catalog, sae, model (for the
 * one ONNX Runtime), kafka and config.
 */
package dev.saestream.label;
