/**
 * The transformer runtime: tokenizers (DJL HuggingFace), ONNX models run by ONNX Runtime through
 * DJL, hook points found in the ONNX graph, graph editing that exposes a hook and cuts the graph
 * after it, and splicing a replaced activation back in. Takes texts, gives per-token activations.
 */
package dev.saestream.model;
