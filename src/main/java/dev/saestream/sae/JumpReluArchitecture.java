package dev.saestream.sae;

import java.util.List;

/** SAELens's jumprelu SAE: ReLU(pre) · [pre &gt; ReLU(threshold)], pre = x W_enc + b_enc. */
final class JumpReluArchitecture implements SaeArchitecture {
    @Override
    public String cfgName() {
        return "jumprelu";
    }

    @Override
    public List<String> parameters() {
        return List.of("b_enc", "threshold");
    }

    @Override
    public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
        int dSae = config.dSae();
        // SAELens gates on threshold.relu(): a negative threshold acts as zero
        float[] threshold = new float[dSae];
        for (int j = 0; j < dSae; j++) {
            threshold[j] = Math.max(weights.threshold()[j], 0f);
        }
        return new JumpRelu(dSae, threshold, List.of(Activation.PreActivation.encoder(weights)));
    }

    private record JumpRelu(int dSae, float[] threshold, List<PreActivation> preActivations) implements Activation {
        @Override
        public SparseCode activate(float[][] pre, int off, long[] scratch) {
            float[] p = pre[0];
            int n = 0;
            for (int j = 0; j < dSae; j++) {
                float v = p[off + j];
                // v > max(threshold, 0) implies v > 0, so ReLU(v) is v itself
                if (v > threshold[j] && v > 0f) {
                    scratch[n++] = ByValueDescending.key(v, j);
                }
            }
            return SparseCode.ofKeys(scratch, n);
        }

        @Override
        public SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k) {
            String p = pre.get(0);
            // pre > max(threshold, 0) implies pre > 0, so ReLU(pre) is pre there
            String open = nodes.op("Greater", p, nodes.init("threshold", threshold, dSae));
            return nodes.variableL0Codes(nodes.op("Where", open, p, nodes.scalar("zero", 0f)), dSae, k);
        }
    }
}
