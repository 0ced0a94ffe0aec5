/**
 * Sparse autoencoders: the SAELens on-disk format (cfg.json + safetensors), the standard, topk,
 * jumprelu and gated architectures, fast sparse encoding and decoding, training and evaluation.
 * Takes activations, gives {@link dev.saestream.sae.SparseCode}s per token.
 */
package dev.saestream.sae;
