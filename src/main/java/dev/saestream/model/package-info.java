/**
 * The transformer runtime. Takes texts, gives per-token activations at one hook point.
 *
 * <ul>
 *   <li>Models come from LangChain4j's embedding jars ({@link dev.saestream.model.BundledModel}) or a
 *       directory with {@code model.onnx} and {@code tokenizer.json}; DJL runs them on ONNX Runtime,
 *       and DJL's binding of Hugging Face tokenizers splits the text.
 *   <li>Hook points ({@link dev.saestream.model.HookPoint}) are found in the ONNX graph from its
 *       structure (residual adds, attention, MLP), so any exporter's names work.
 *   <li>{@link dev.saestream.model.OnnxGraph} edits graphs: expose a tensor, cut after it, start from
 *       it, append a {@link dev.saestream.model.Head} (the SAE encoder) after it. Edited graphs are
 *       cached on disk per model.
 *   <li>{@link dev.saestream.model.Transformer} windows long texts, runs the cut graph in batches
 *       and returns {@link dev.saestream.model.TokenActivations} in document order; it also splices
 *       replaced activations back in for SAE evaluation.
 * </ul>
 */
package dev.saestream.model;
