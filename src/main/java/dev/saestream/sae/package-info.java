/**
 * Sparse autoencoders. Takes activations ({@code float[]}, row-major [tokens × d_in]) and gives
 * each token's active features as a {@link dev.saestream.sae.SparseCode}.
 *
 * <ul>
 *   <li>{@link dev.saestream.sae.Sae}: a SAELens directory loaded or saved (cfg.json in the v6
 *       and the older flat schema, sae_weights.safetensors in F32/F16/BF16, sparsity.safetensors);
 *       the standard, topk, jumprelu and gated architectures with SAELens's normalisations.</li>
 *   <li>{@link dev.saestream.sae.SaeArchitecture}: one class per architecture (name, parameters,
 *       activation in Java and as ONNX nodes); {@link dev.saestream.sae.Architecture} lists the
 *       built-ins and {@link dev.saestream.sae.SaeArchitectures} registers others.</li>
 *   <li>Encoders ({@link dev.saestream.sae.SaeEncoders}): a plain Java reference, a blocked Java
 *       kernel, and ONNX Runtime running the encoder as a graph; {@link dev.saestream.sae.SaeOnnx}
 *       also gives the encoder as nodes to append to a transformer's graph after the hook.</li>
 *   <li>{@link dev.saestream.sae.SaeTrainer}: TopK (AuxK) and ReLU + L1 training, with its Adam,
 *       vector kernels and thread pool in small types of their own;
 *       {@link dev.saestream.sae.SaeEvaluation} and {@link dev.saestream.sae.DownstreamFidelity}
 *       measure the result, the latter through the {@link dev.saestream.sae.HookSplice} seam the
 *       model package implements.</li>
 * </ul>
 */
package dev.saestream.sae;
