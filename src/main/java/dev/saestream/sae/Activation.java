package dev.saestream.sae;

import java.util.List;

/**
 * An architecture bound to one SAE's weights. Every encoder prepares the input (SAELens's
 * normalisation, then minus b_dec), computes the {@link #preActivations()} as matrix products
 * of its own, and hands them here, so that the reference, the blocked Java and the ONNX encoders
 * cannot disagree on anything but rounding.
 */
public interface Activation {
    /**
     * x W + b, with W [d_in × d_sae] row-major and b [d_sae], named as their ONNX initializers
     * are, so the graph reads like the SAELens parameters.
     */
    record PreActivation(String weightName, float[] weight, String biasName, float[] bias) {
        /** x W_enc + b_enc, the one pre-activation of the architectures with an encoder bias. */
        public static PreActivation encoder(SaeWeights weights) {
            return new PreActivation("W_enc", weights.wEnc(), "b_enc", weights.bEnc());
        }
    }

    /** The pre-activations to compute, in the order {@link #activate} and {@link #onnxHead} receive them. */
    List<PreActivation> preActivations();

    /**
     * One token's active features: {@code pre[i]} holds the i-th pre-activation at [off, off +
     * d_sae). {@code scratch} holds at least d_sae longs, for {@link ByValueDescending} keys.
     */
    SparseCode activate(float[][] pre, int off, long[] scratch);

    /**
     * The same as ONNX nodes from the pre-activations' tensor names; it ends with {@link
     * OnnxNodes#fixedL0Codes} or {@link OnnxNodes#variableL0Codes} keeping {@code k} per token.
     */
    SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k);
}
