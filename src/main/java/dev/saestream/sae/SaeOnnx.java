package dev.saestream.sae;

import dev.saestream.model.onnx.Onnx;
import java.util.ArrayList;
import java.util.List;

/**
 * The SAE encoder as ONNX nodes, so ONNX Runtime (MLAS kernels) runs it: either appended to a
 * transformer's graph after the hook, so one session run returns sparse codes, or as a model of
 * its own. Built from ops whose form is the same in every opset from {@value #MIN_OPSET} on
 * (sums are MatMuls with a ones vector, not ReduceSum, whose signature changed), so a fragment
 * fits whatever opset the host graph imports.
 */
public final class SaeOnnx {
    /** The oldest opset the fragment is valid in (TopK with k as an input). */
    public static final int MIN_OPSET = 11;
    /** The opset of standalone encoder models. */
    static final int MODEL_OPSET = 17;

    static final int IR_VERSION = 8;

    private SaeOnnx() {}

    /**
     * Nodes and initializers that encode {@code inputTensor} (float, shape [..., d_in]) and end in
     * the top {@code kMax} activations per token, sorted descending: {@code valuesOutput} (float,
     * [..., kMax], zeros where fewer are active) and {@code indicesOutput} (int64, [..., kMax]).
     * For variable-L0 architectures {@code activeCountOutput} (float, [..., 1]) counts every active
     * feature, so a token with more than kMax can be detected rather than truncated; it is null
     * for topk, where kMax is k.
     */
    public record Fragment(
            List<Onnx.NodeProto> nodes,
            List<Onnx.TensorProto> initializers,
            String valuesOutput,
            String indicesOutput,
            String activeCountOutput,
            int kMax) {
        public Fragment {
            nodes = List.copyOf(nodes);
            initializers = List.copyOf(initializers);
        }
    }

    /** The encoder fragment; {@code prefix} namespaces every node, tensor and initializer it adds. */
    public static Fragment encoderFragment(Sae sae, String inputTensor, String prefix, int kMax) {
        SaeConfig c = sae.config();
        int k = c.architecture().usesK() ? c.k() : kMax;
        if (k <= 0 || k > c.dSae()) {
            throw new IllegalArgumentException("kMax must be in 1.." + c.dSae() + ", got " + kMax);
        }
        OnnxNodes b = new OnnxNodes(prefix);
        int d = c.dIn();
        int dSae = c.dSae();
        SaeWeights w = sae.weights();
        String x = inputTensor;
        switch (c.normalization()) {
            case CONSTANT_NORM_RESCALE -> {
                String ss = b.op("MatMul", b.op("Mul", x, x), b.init("ones_in", OnnxNodes.fill(d, 1f), d, 1));
                String coeff = b.op("Div", b.scalar("sqrt_d_in", (float) Math.sqrt(d)), b.op("Sqrt", ss));
                x = b.op("Mul", x, coeff);
            }
            case LAYER_NORM -> {
                String mu = b.op("MatMul", x, b.init("mean_in", OnnxNodes.fill(d, 1f / d), d, 1));
                String centred = b.op("Sub", x, mu);
                String var = b.op(
                        "MatMul",
                        b.op("Mul", centred, centred),
                        b.init("unbiased_in", OnnxNodes.fill(d, 1f / Math.max(1, d - 1)), d, 1));
                String den = b.op("Add", b.op("Sqrt", var), b.scalar("ln_eps", Normalization.LAYER_NORM_EPS));
                x = b.op("Div", centred, den);
            }
            default -> {}
        }
        if (c.applyBDecToInput()) {
            x = b.op("Sub", x, b.init("b_dec", w.bDec(), d));
        }
        Activation activation = sae.activation();
        List<String> pre = new ArrayList<>();
        for (Activation.PreActivation p : activation.preActivations()) {
            pre.add(b.op(
                    "Add",
                    b.op("MatMul", x, b.init(p.weightName(), p.weight(), d, dSae)),
                    b.init(p.biasName(), p.bias(), dSae)));
        }
        return activation.onnxHead(b, pre, k);
    }

    /** A standalone model: input {@code activations} [N, d_in]; outputs values, indices and (variable L0) active_count. */
    public static Onnx.ModelProto encoderModel(Sae sae, int kMax) {
        Fragment f = encoderFragment(sae, "activations", "sae/", kMax);
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .setName("sae_encoder")
                .addAllNode(f.nodes())
                .addAllInitializer(f.initializers())
                .addInput(valueInfo(
                        "activations",
                        Onnx.TensorProto.DataType.FLOAT_VALUE,
                        "N",
                        sae.config().dIn()));
        g.addOutput(valueInfo(f.valuesOutput(), Onnx.TensorProto.DataType.FLOAT_VALUE, "N", f.kMax()));
        g.addOutput(valueInfo(f.indicesOutput(), Onnx.TensorProto.DataType.INT64_VALUE, "N", f.kMax()));
        if (f.activeCountOutput() != null) {
            g.addOutput(valueInfo(f.activeCountOutput(), Onnx.TensorProto.DataType.FLOAT_VALUE, "N", 1));
        }
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("saestream")
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(MODEL_OPSET))
                .setGraph(g)
                .build();
    }

    /**
     * Sparse codes from a fragment's outputs for {@code rows} tokens: zeros dropped, each code
     * re-sorted to the (value descending, index ascending) order. Rows whose active count exceeds
     * kMax are listed in {@code overflowRows}, never silently truncated.
     */
    public static Decoded codes(float[] values, long[] indices, float[] activeCounts, int rows, int kMax) {
        SparseCode[] codes = new SparseCode[rows];
        long[] keys = new long[kMax];
        List<Integer> overflow = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int n = 0;
            for (int i = 0; i < kMax; i++) {
                float v = values[r * kMax + i];
                if (v > 0f) {
                    keys[n++] = ByValueDescending.key(v, (int) indices[r * kMax + i]);
                }
            }
            codes[r] = SparseCode.ofKeys(keys, n);
            if (activeCounts != null && activeCounts[r] > kMax) {
                overflow.add(r);
            }
        }
        return new Decoded(codes, overflow.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Codes per row and the rows that had more than kMax active features. */
    public record Decoded(SparseCode[] codes, int[] overflowRows) {}

    /** A 2-D value [dynamicDim × width]; width &lt; 0 leaves the second dimension free too. */
    static Onnx.ValueInfoProto valueInfo(String name, int elemType, String dynamicDim, int width) {
        Onnx.TensorShapeProto shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(dynamicDim))
                .addDim(
                        width < 0
                                ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(dynamicDim + "_width")
                                : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                .setElemType(elemType)
                                .setShape(shape)))
                .build();
    }
}
