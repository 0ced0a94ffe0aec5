package dev.saestream.model;

import com.google.protobuf.CodedInputStream;
import dev.saestream.model.onnx.Onnx.AttributeProto;
import dev.saestream.model.onnx.Onnx.GraphProto;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.OperatorSetIdProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import dev.saestream.model.onnx.Onnx.TensorShapeProto;
import dev.saestream.model.onnx.Onnx.TypeProto;
import dev.saestream.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Edits ONNX graphs: expose an intermediate tensor as an output, cut the graph after it (keep only
 * the nodes its outputs need), start a graph at a tensor (for splicing), and append a head that
 * reads the hook. Every edit returns a new model; node order is kept, so a topologically sorted
 * graph stays sorted.
 */
public final class OnnxGraph {
    /** Symbolic dimension names used for the per-token tensors this class declares. */
    public static final String BATCH = "batch_size";

    public static final String SEQUENCE = "sequence_length";

    /** Models with tens of thousands of nodes nest deeper than protobuf's default limit of 100 only in subgraphs, but be generous. */
    private static final int RECURSION_LIMIT = 1000;

    private OnnxGraph() {}

    public static ModelProto load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        }
    }

    /** Parses a model; {@code name} is only for the error message. */
    public static ModelProto load(InputStream in, String name) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit(Integer.MAX_VALUE);
        coded.setRecursionLimit(RECURSION_LIMIT);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(coded);
        } catch (IOException e) {
            throw new IOException(name + " is not a readable ONNX model: " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IOException(name + " is not an ONNX model: it has no graph nodes");
        }
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new IOException(name + " keeps its weights in external data files (initializer " + t.getName()
                        + "); export it as a single-file model under 2 GB");
            }
        }
        return model;
    }

    /** Writes the model to a temporary file beside {@code file}, then moves it in place, so readers never see half a file. */
    public static void save(ModelProto model, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                model.writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The version of the default ("ai.onnx") operator set the model imports; nodes added to it must be valid there. */
    public static long opset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        throw new IllegalArgumentException("the model imports no default ONNX operator set");
    }

    /** A float tensor declared as {@code [batch_size, sequence_length, width]}; width 0 leaves the last dimension symbolic. */
    public static ValueInfoProto perToken(String name, TensorProto.DataType type, int width) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(SEQUENCE));
        shape.addDim(
                width > 0
                        ? TensorShapeProto.Dimension.newBuilder().setDimValue(width)
                        : TensorShapeProto.Dimension.newBuilder().setDimParam(name + "_width"));
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape)))
                .build();
    }

    /** The same model with {@code tensors} added to its outputs (the existing outputs stay). Asking for a tensor does not skip later layers: see {@link #cut}. */
    public static ModelProto expose(ModelProto model, Collection<String> tensors) {
        GraphProto g = model.getGraph();
        Set<String> produced = producedTensors(g);
        Set<String> existing = new HashSet<>();
        g.getOutputList().forEach(o -> existing.add(o.getName()));
        GraphProto.Builder b = g.toBuilder();
        for (String t : tensors) {
            requireProduced(produced, t);
            if (existing.add(t)) {
                b.addOutput(valueInfo(g, t));
            }
        }
        return model.toBuilder().setGraph(b).build();
    }

    /**
     * The model with exactly {@code outputs} as its outputs and only the nodes, initializers and
     * inputs needed to compute them: everything after the last of them is gone, so no time goes to
     * later layers.
     */
    public static ModelProto cut(ModelProto model, List<String> outputs) {
        GraphProto g = model.getGraph();
        Set<String> produced = producedTensors(g);
        List<ValueInfoProto> outs = new ArrayList<>();
        for (String t : outputs) {
            if (!produced.contains(t) && !isGraphInput(g, t)) {
                requireProduced(produced, t);
            }
            outs.add(valueInfo(g, t));
        }
        return prune(model, g.toBuilder().clearOutput().addAllOutput(outs), Set.of());
    }

    /**
     * The part of the model from {@code start} onwards: {@code start} becomes an input declared as
     * {@code [batch_size, sequence_length, width]} floats, and only nodes needed for {@code outputs}
     * given that input are kept. Feeding the original value of {@code start} reproduces the original outputs.
     */
    public static ModelProto from(ModelProto model, String start, int width, List<String> outputs) {
        GraphProto g = model.getGraph();
        requireProduced(producedTensors(g), start);
        List<ValueInfoProto> outs = new ArrayList<>();
        for (String t : outputs) {
            outs.add(valueInfo(g, t));
        }
        GraphProto.Builder b = g.toBuilder().clearOutput().addAllOutput(outs);
        // The start tensor's producer is dropped by the pruning below, because it is now an input.
        b.addInput(perToken(start, TensorProto.DataType.FLOAT, width));
        return prune(model, b, Set.of(start));
    }

    /**
     * Appends {@code head} to a model that computes {@code hook}: an Identity node copies the hook to
     * {@link Head#INPUT} (ONNX Runtime removes it when optimizing), then the head's nodes and
     * initializers follow, and its outputs are added to the model's outputs.
     */
    public static ModelProto appendHead(ModelProto model, String hook, Head head) {
        GraphProto g = model.getGraph();
        Set<String> known = producedTensors(g);
        g.getInitializerList().forEach(t -> known.add(t.getName()));
        g.getInputList().forEach(v -> known.add(v.getName()));
        if (!known.contains(hook)) {
            throw new IllegalArgumentException("hook tensor '" + hook + "' is not in the graph");
        }
        for (NodeProto n : head.nodes()) {
            for (String out : n.getOutputList()) {
                if (known.contains(out)) {
                    throw new IllegalArgumentException("head node " + n.getName() + " writes '" + out
                            + "', which the model already has; rename the head's tensors");
                }
            }
        }
        for (TensorProto t : head.initializers()) {
            if (known.contains(t.getName())) {
                throw new IllegalArgumentException(
                        "head initializer '" + t.getName() + "' clashes with a tensor of the model");
            }
        }
        GraphProto.Builder b = g.toBuilder()
                .addNode(NodeProto.newBuilder()
                        .setOpType("Identity")
                        .setName("saestream/head/input")
                        .addInput(hook)
                        .addOutput(Head.INPUT))
                .addAllNode(head.nodes())
                .addAllInitializer(head.initializers())
                .addAllOutput(head.outputs());
        return model.toBuilder().setGraph(b).build();
    }

    /** Tensor name to the index of the node that writes it. */
    static Map<String, Integer> producers(GraphProto g) {
        Map<String, Integer> p = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String out : g.getNode(i).getOutputList()) {
                if (!out.isEmpty()) {
                    p.put(out, i);
                }
            }
        }
        return p;
    }

    /** Every tensor a node reads, including names its subgraphs (If, Loop, Scan) take from the enclosing scope. */
    static Set<String> reads(NodeProto n) {
        Set<String> names = new LinkedHashSet<>();
        for (String in : n.getInputList()) {
            if (!in.isEmpty()) {
                names.add(in);
            }
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                outerReads(a.getG(), names);
            }
            for (GraphProto sub : a.getGraphsList()) {
                outerReads(sub, names);
            }
        }
        return names;
    }

    private static void outerReads(GraphProto sub, Set<String> into) {
        Set<String> local = new HashSet<>();
        sub.getInputList().forEach(v -> local.add(v.getName()));
        sub.getInitializerList().forEach(t -> local.add(t.getName()));
        for (NodeProto n : sub.getNodeList()) {
            local.addAll(n.getOutputList());
        }
        for (NodeProto n : sub.getNodeList()) {
            for (String r : reads(n)) {
                if (!local.contains(r)) {
                    into.add(r);
                }
            }
        }
    }

    /** Keeps what the builder's outputs need; tensors in {@code given} are inputs, so their producers go. */
    private static ModelProto prune(ModelProto model, GraphProto.Builder b, Set<String> given) {
        GraphProto g = model.getGraph();
        Map<String, Integer> producer = producers(g);
        boolean[] keep = new boolean[g.getNodeCount()];
        Set<String> needed = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        b.getOutputList().forEach(o -> todo.add(o.getName()));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!needed.add(t) || given.contains(t)) {
                continue;
            }
            Integer p = producer.get(t);
            if (p != null && !keep[p]) {
                keep[p] = true;
                todo.addAll(reads(g.getNode(p)));
            }
        }
        b.clearNode();
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                b.addNode(g.getNode(i));
            }
        }
        List<TensorProto> inits = new ArrayList<>();
        for (TensorProto t : g.getInitializerList()) {
            if (needed.contains(t.getName())) {
                inits.add(t);
            }
        }
        b.clearInitializer().addAllInitializer(inits);
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : b.getInputList()) {
            if (needed.contains(v.getName())) {
                inputs.add(v);
            }
        }
        b.clearInput().addAllInput(inputs);
        List<ValueInfoProto> infos = new ArrayList<>();
        for (ValueInfoProto v : g.getValueInfoList()) {
            if (needed.contains(v.getName()) && !given.contains(v.getName())) {
                infos.add(v);
            }
        }
        b.clearValueInfo().addAllValueInfo(infos);
        return model.toBuilder().setGraph(b).build();
    }

    /** The declared type of a tensor when the graph has one, else float with a symbolic per-token shape. */
    private static ValueInfoProto valueInfo(GraphProto g, String tensor) {
        for (ValueInfoProto v : g.getOutputList()) {
            if (v.getName().equals(tensor)) {
                return v;
            }
        }
        for (ValueInfoProto v : g.getValueInfoList()) {
            if (v.getName().equals(tensor) && v.hasType()) {
                return v;
            }
        }
        for (ValueInfoProto v : g.getInputList()) {
            if (v.getName().equals(tensor)) {
                return v;
            }
        }
        return perToken(tensor, TensorProto.DataType.FLOAT, 0);
    }

    private static Set<String> producedTensors(GraphProto g) {
        return new HashSet<>(producers(g).keySet());
    }

    private static boolean isGraphInput(GraphProto g, String t) {
        return g.getInputList().stream().anyMatch(v -> v.getName().equals(t));
    }

    private static void requireProduced(Set<String> produced, String t) {
        if (!produced.contains(t)) {
            throw new IllegalArgumentException("tensor '" + t + "' is not produced by any node of the graph");
        }
    }
}
