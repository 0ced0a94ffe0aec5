package dev.saestream.sae;

import com.google.protobuf.ByteString;
import dev.saestream.model.onnx.Onnx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The nodes and initializers of an ONNX graph fragment being built, every name under one prefix so
 * that several fragments can share a host graph. Architectures add their head nodes through it.
 */
public final class OnnxNodes {
    private final String prefix;
    private final List<Onnx.NodeProto> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> inits = new ArrayList<>();
    private int counter;

    OnnxNodes(String prefix) {
        this.prefix = prefix;
    }

    /** A node of {@code type} on {@code inputs}; returns the name of its one output. */
    public String op(String type, String... inputs) {
        String out = prefix + type.toLowerCase() + "_" + counter++;
        nodes.add(Onnx.NodeProto.newBuilder()
                .setOpType(type)
                .setName(out)
                .addAllInput(Arrays.asList(inputs))
                .addOutput(out)
                .build());
        return out;
    }

    /** Cast to float (from a boolean comparison, so that it can be summed). */
    public String castFloat(String input) {
        String out = prefix + "cast_" + counter++;
        nodes.add(Onnx.NodeProto.newBuilder()
                .setOpType("Cast")
                .setName(out)
                .addInput(input)
                .addOutput(out)
                .addAttribute(intAttr("to", Onnx.TensorProto.DataType.FLOAT_VALUE))
                .build());
        return out;
    }

    /** TopK along the last axis, largest first, sorted: [values, indices]. */
    public String[] topK(String input, int k) {
        String kName = prefix + "k";
        inits.add(Onnx.TensorProto.newBuilder()
                .setName(kName)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE)
                .addDims(1)
                .addInt64Data(k)
                .build());
        String values = prefix + "values";
        String indices = prefix + "indices";
        nodes.add(Onnx.NodeProto.newBuilder()
                .setOpType("TopK")
                .setName(prefix + "topk")
                .addInput(input)
                .addInput(kName)
                .addOutput(values)
                .addOutput(indices)
                .addAttribute(intAttr("axis", -1))
                .addAttribute(intAttr("largest", 1))
                .addAttribute(intAttr("sorted", 1))
                .build());
        return new String[] {values, indices};
    }

    /** A float32 initializer of shape {@code dims} (a scalar when none); returns its name. */
    public String init(String name, float[] data, int... dims) {
        String full = prefix + name;
        ByteBuffer buf = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder()
                .setName(full)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (int dim : dims) {
            t.addDims(dim);
        }
        inits.add(t.build());
        return full;
    }

    /** A float32 scalar initializer. */
    public String scalar(String name, float v) {
        return init(name, new float[] {v});
    }

    /** Ends a fixed-L0 fragment (topk): {@code values} and {@code indices} are already the code, k per token. */
    public SaeOnnx.Fragment fixedL0Codes(String values, String indices, int k) {
        return fragment(values, indices, null, k);
    }

    /**
     * Ends a variable-L0 fragment from the dense activations {@code acts} ([..., d_sae], zero where
     * inactive): their top k, and the count of every active feature, so that a token with more than
     * k is detected rather than truncated.
     */
    public SaeOnnx.Fragment variableL0Codes(String acts, int dSae, int k) {
        String[] top = topK(acts, k);
        String active = castFloat(op("Greater", acts, scalar("zero_count", 0f)));
        String count = op("MatMul", active, init("ones_sae", fill(dSae, 1f), dSae, 1));
        return fragment(top[0], top[1], count, k);
    }

    static float[] fill(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private SaeOnnx.Fragment fragment(String values, String indices, String count, int k) {
        if (count != null) {
            // a stable name for the count, like values and indices
            String named = prefix + "active_count";
            nodes.add(Onnx.NodeProto.newBuilder()
                    .setOpType("Identity")
                    .setName(named)
                    .addInput(count)
                    .addOutput(named)
                    .build());
            count = named;
        }
        return new SaeOnnx.Fragment(nodes, inits, values, indices, count, k);
    }

    private static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }
}
