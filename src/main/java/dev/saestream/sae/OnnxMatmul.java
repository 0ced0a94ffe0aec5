package dev.saestream.sae;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.saestream.model.OnnxRuntime;
import dev.saestream.model.onnx.Onnx;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * a · wᵀ + bias with ONNX Runtime's MLAS kernels (one Gemm with transB), every operand an input,
 * for products whose weights change between calls (the trainer's forward pass, whose encoder is
 * kept transposed).
 */
final class OnnxMatmul implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;

    OnnxMatmul(int threads) {
        Onnx.NodeProto gemm = Onnx.NodeProto.newBuilder()
                .setOpType("Gemm")
                .addInput("a")
                .addInput("wT")
                .addInput("bias")
                .addOutput("out")
                .addAttribute(Onnx.AttributeProto.newBuilder()
                        .setName("transB")
                        .setType(Onnx.AttributeProto.AttributeType.INT)
                        .setI(1))
                .build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
                .setName("matmul")
                .addNode(gemm)
                .addInput(SaeOnnx.valueInfo("a", Onnx.TensorProto.DataType.FLOAT_VALUE, "n", -1))
                .addInput(SaeOnnx.valueInfo("wT", Onnx.TensorProto.DataType.FLOAT_VALUE, "m", -1))
                .addInput(Onnx.ValueInfoProto.newBuilder()
                        .setName("bias")
                        .setType(Onnx.TypeProto.newBuilder()
                                .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                                        .setShape(Onnx.TensorShapeProto.newBuilder()
                                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()
                                                        .setDimParam("m"))))))
                .addOutput(SaeOnnx.valueInfo("out", Onnx.TensorProto.DataType.FLOAT_VALUE, "n", -1))
                .build();
        Onnx.ModelProto model = Onnx.ModelProto.newBuilder()
                .setIrVersion(SaeOnnx.IR_VERSION)
                .setProducerName("saestream")
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(SaeOnnx.MODEL_OPSET))
                .setGraph(g)
                .build();
        env = OnnxRuntime.environment();
        try (OrtSession.SessionOptions opts = OnnxRuntime.sessionOptions(threads)) {
            session = env.createSession(model.toByteArray(), opts);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot build a matrix product: " + e.getMessage(), e);
        }
    }

    /** out ([n × m]) = a ([n × d]) · wT ([m × d])ᵀ + bias ([m]). */
    void multiplyTransposed(float[] a, int n, int d, float[] wT, int m, float[] bias, float[] out) {
        try (OnnxTensor ta = OnnxTensor.createTensor(env, FloatBuffer.wrap(a, 0, n * d), new long[] {n, d});
                OnnxTensor tw = OnnxTensor.createTensor(env, FloatBuffer.wrap(wT), new long[] {m, d});
                OnnxTensor tb = OnnxTensor.createTensor(env, FloatBuffer.wrap(bias), new long[] {m});
                OrtSession.Result r = session.run(Map.of("a", ta, "wT", tw, "bias", tb))) {
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(out, 0, n * m);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed in a matrix product: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
