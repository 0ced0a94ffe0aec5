package dev.saestream.sae;

import java.util.List;

/**
 * SAELens's topk SAE: of the k largest pre-activations x W_enc + b_enc (ranked, and reported,
 * times ‖W_dec row‖ with rescale_acts_by_decoder_norm) the positive ones, the ReLU after the
 * TopK; decoding divides by the norm again.
 */
final class TopKArchitecture implements SaeArchitecture {
    @Override
    public String cfgName() {
        return "topk";
    }

    @Override
    public List<String> parameters() {
        return List.of("b_enc");
    }

    @Override
    public boolean usesK() {
        return true;
    }

    @Override
    public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
        return new TopK(
                config.dSae(),
                config.k(),
                config.rescaleActsByDecoderNorm() ? decoderNorms : null,
                List.of(Activation.PreActivation.encoder(weights)));
    }

    /** {@code norms} null when the pre-activations are ranked as they are. */
    private record TopK(int dSae, int k, float[] norms, List<PreActivation> preActivations) implements Activation {
        @Override
        public SparseCode activate(float[][] pre, int off, long[] scratch) {
            return SparseCode.ofKeys(scratch, SaeMath.topK(pre[0], off, dSae, k, norms, scratch));
        }

        @Override
        public SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k) {
            String ranked = pre.get(0);
            if (norms != null) {
                ranked = nodes.op("Mul", ranked, nodes.init("W_dec_norm", norms, dSae));
            }
            String[] top = nodes.topK(ranked, k);
            return nodes.fixedL0Codes(nodes.op("Relu", top[0]), top[1], k);
        }
    }
}
