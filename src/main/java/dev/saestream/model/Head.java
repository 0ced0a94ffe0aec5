package dev.saestream.model;

import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import dev.saestream.model.onnx.Onnx.ValueInfoProto;
import java.util.List;

/**
 * Extra ONNX nodes run after the hook in the same session, for example an SAE encoder (MatMul,
 * Add, TopK) so that one ONNX Runtime run returns sparse codes. The nodes read the hook
 * activation as {@link #INPUT} ({@code [batch, seq, width]} floats) and must be valid in the
 * model's operator set ({@link Transformer#opset()}). Each output is per token:
 * {@code [batch, seq, n]}, float or int64 (see {@link OnnxGraph#perToken}).
 *
 * @param nodes           the head's nodes, in topological order
 * @param initializers    its weights
 * @param outputs         the tensors to return per token
 * @param keepActivations whether {@link TokenActivations#activations()} is filled as well
 */
public record Head(
        List<NodeProto> nodes, List<TensorProto> initializers, List<ValueInfoProto> outputs, boolean keepActivations) {
    /** The name under which head nodes read the hook activation. */
    public static final String INPUT = "saestream.hook";

    public Head {
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        outputs = List.copyOf(outputs);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("head nodes must not be empty");
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("head outputs must not be empty");
        }
        for (ValueInfoProto o : outputs) {
            int type = o.getType().getTensorType().getElemType();
            if (type != TensorProto.DataType.FLOAT_VALUE && type != TensorProto.DataType.INT64_VALUE) {
                throw new IllegalArgumentException("head output '" + o.getName() + "' has element type " + type
                        + "; per-token outputs must be float (1) or int64 (7)");
            }
            var dims = o.getType().getTensorType().getShape().getDimList();
            if (dims.size() != 3 || !dims.get(2).hasDimValue()) {
                throw new IllegalArgumentException("head output '" + o.getName()
                        + "' must be declared [batch, seq, n] with a fixed n (see OnnxGraph.perToken)");
            }
        }
    }

    /** The fixed last dimension of output {@code o}: values per token. */
    static int width(ValueInfoProto o) {
        return Math.toIntExact(o.getType().getTensorType().getShape().getDim(2).getDimValue());
    }

    public List<String> outputNames() {
        return outputs.stream().map(ValueInfoProto::getName).toList();
    }
}
