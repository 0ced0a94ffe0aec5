package dev.saestream.sae;

import java.util.List;

/** SAELens's standard SAE: ReLU(x W_enc + b_enc). */
final class StandardArchitecture implements SaeArchitecture {
    @Override
    public String cfgName() {
        return "standard";
    }

    @Override
    public List<String> parameters() {
        return List.of("b_enc");
    }

    @Override
    public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
        return new Relu(config.dSae(), List.of(Activation.PreActivation.encoder(weights)));
    }

    private record Relu(int dSae, List<PreActivation> preActivations) implements Activation {
        @Override
        public SparseCode activate(float[][] pre, int off, long[] scratch) {
            float[] p = pre[0];
            int n = 0;
            for (int j = 0; j < dSae; j++) {
                float v = p[off + j];
                if (v > 0f) {
                    scratch[n++] = ByValueDescending.key(v, j);
                }
            }
            return SparseCode.ofKeys(scratch, n);
        }

        @Override
        public SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k) {
            return nodes.variableL0Codes(nodes.op("Relu", pre.get(0)), dSae, k);
        }
    }
}
