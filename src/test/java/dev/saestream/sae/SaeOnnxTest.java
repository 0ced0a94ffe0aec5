package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.saestream.formats.NpyArray;
import dev.saestream.model.OnnxRuntime;
import dev.saestream.model.onnx.Onnx;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The encoder fragment as a transformer graph would host it: rank-3 input, the oldest opset it claims. */
class SaeOnnxTest {
    /** A host graph: input [batch, tokens, d_in] through Identity (standing in for the hook), then the fragment. */
    static Onnx.ModelProto host(Sae sae, int kMax, int opset) {
        SaeOnnx.Fragment f = SaeOnnx.encoderFragment(sae, "hook_out", "sae/", kMax);
        int d = sae.config().dIn();
        Onnx.TypeProto in = Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(Onnx.TensorShapeProto.newBuilder()
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimParam("batch"))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimParam("tokens"))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimValue(d))))
                .build();
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .setName("host")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("input").setType(in))
                .addNode(Onnx.NodeProto.newBuilder()
                        .setOpType("Identity")
                        .addInput("input")
                        .addOutput("hook_out"))
                .addAllNode(f.nodes())
                .addAllInitializer(f.initializers())
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName(f.valuesOutput()))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName(f.indicesOutput()));
        if (f.activeCountOutput() != null) {
            g.addOutput(Onnx.ValueInfoProto.newBuilder().setName(f.activeCountOutput()));
        }
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(7)
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g)
                .build();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "standard-layer_norm-f32",
                "topk-constant_norm_rescale-bf16",
                "jumprelu-none-f16",
                "gated-layer_norm-f32",
                "topk-layer_norm-f16"
            })
    void fragmentInAnOpset11GraphMatchesTheReferenceOnRankThreeInput(String fixture) throws Exception {
        // given: the fixture's 12 tokens as a [3, 4, d_in] batch
        Sae sae = Sae.load(SaeFixtures.root().resolve(fixture));
        NpyArray x = SaeFixtures.npy(fixture, "x.npy");
        int d = sae.config().dIn();
        int kMax = sae.config().dSae();
        OrtEnvironment env = OnnxRuntime.environment();

        // when
        SaeOnnx.Decoded decoded;
        try (OrtSession s = env.createSession(
                        host(sae, kMax, SaeOnnx.MIN_OPSET).toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), new long[] {3, 4, d});
                OrtSession.Result r = s.run(Map.of("input", t))) {
            int k = sae.config().architecture() == Architecture.TOPK
                    ? sae.config().k()
                    : kMax;
            float[] values = new float[12 * k];
            long[] indices = new long[12 * k];
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(values);
            ((OnnxTensor) r.get(1)).getLongBuffer().get(indices);
            assertThat(((OnnxTensor) r.get(0)).getInfo().getShape()).containsExactly(3, 4, k);
            decoded = SaeOnnx.codes(values, indices, null, 12, k);
        }

        // then
        SparseCode[] want = new ReferenceEncoder(sae).encode(x.floats(), 12);
        for (int i = 0; i < 12; i++) {
            assertThat(decoded.codes()[i].indices()).as("token %d", i).containsExactly(want[i].indices());
        }
        assertThat(SaeFixtures.rowRelativeError(
                        SaeFixtures.dense(decoded.codes(), kMax), SaeFixtures.dense(want, kMax), kMax))
                .isLessThanOrEqualTo(1e-5);
    }

    @Test
    void tokensWithMoreThanKMaxActiveAreCountedAndEncodedExactly() throws Exception {
        // given: a standard SAE whose fixture tokens have several active features, and kMax 2
        Sae sae = Sae.load(SaeFixtures.root().resolve("standard-none-f32"));
        NpyArray x = SaeFixtures.npy("standard-none-f32", "x.npy");
        SparseCode[] want = new ReferenceEncoder(sae).encode(x.floats(), 12);
        long over = java.util.Arrays.stream(want).filter(c -> c.size() > 2).count();

        // when
        SparseCode[] got;
        long counted;
        try (OnnxSaeEncoder enc = new OnnxSaeEncoder(sae, 1, 2)) {
            got = enc.encode(x.floats(), 12);
            counted = enc.overflowTokens();
        }

        // then: every over-full token was counted, and none was truncated
        assertThat(over).isPositive();
        assertThat(counted).isEqualTo(over);
        for (int i = 0; i < 12; i++) {
            assertThat(got[i].indices()).containsExactly(want[i].indices());
        }
    }
}
