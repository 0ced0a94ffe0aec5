package dev.saestream.sae;

import java.util.List;

/**
 * SAELens's gated SAE: [x W_enc + b_gate &gt; 0] · ReLU(x (W_enc ∘ exp(r_mag)) + b_mag). It has no
 * b_enc: the gate and the magnitude paths have biases of their own.
 */
final class GatedArchitecture implements SaeArchitecture {
    @Override
    public String cfgName() {
        return "gated";
    }

    @Override
    public List<String> parameters() {
        return List.of("b_gate", "b_mag", "r_mag");
    }

    @Override
    public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        // the magnitude path shares W_enc, scaled per feature by exp(r_mag)
        float[] magnitudeEncoder = new float[dIn * dSae];
        for (int p = 0; p < dIn; p++) {
            for (int j = 0; j < dSae; j++) {
                magnitudeEncoder[p * dSae + j] = weights.wEnc()[p * dSae + j] * (float) Math.exp(weights.rMag()[j]);
            }
        }
        return new Gated(
                dSae,
                List.of(
                        new Activation.PreActivation("W_enc", weights.wEnc(), "b_gate", weights.bGate()),
                        new Activation.PreActivation("W_mag", magnitudeEncoder, "b_mag", weights.bMag())));
    }

    /** pre[0] is the gate, pre[1] the magnitude. */
    private record Gated(int dSae, List<PreActivation> preActivations) implements Activation {
        @Override
        public SparseCode activate(float[][] pre, int off, long[] scratch) {
            float[] gate = pre[0];
            float[] mag = pre[1];
            int n = 0;
            for (int j = 0; j < dSae; j++) {
                float m = mag[off + j];
                if (gate[off + j] > 0f && m > 0f) {
                    scratch[n++] = ByValueDescending.key(m, j);
                }
            }
            return SparseCode.ofKeys(scratch, n);
        }

        @Override
        public SaeOnnx.Fragment onnxHead(OnnxNodes nodes, List<String> pre, int k) {
            String mag = nodes.op("Relu", pre.get(1));
            String zero = nodes.scalar("zero", 0f);
            return nodes.variableL0Codes(nodes.op("Where", nodes.op("Greater", pre.get(0), zero), mag, zero), dSae, k);
        }
    }
}
