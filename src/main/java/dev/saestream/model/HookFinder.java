package dev.saestream.model;

import dev.saestream.model.onnx.Onnx.GraphProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a transformer's blocks in an ONNX graph from its structure, not from node names, so
 * that BERT-style (post-norm), GPT-style (pre-norm) and parallel-residual (GPT-NeoX, GPT-J)
 * exports all work, whatever the exporter called things.
 *
 * <p>A residual connection is an {@code Add(s, b)} where the stream {@code s} carries the tokens
 * (it depends on {@code input_ids}) and the branch {@code b} is computed from {@code s} through
 * at least one matrix product: that excludes bias adds, LayerNorm's epsilon, GELU's
 * {@code x + c·x³} and the attention mask (which later layers depend on, but which does not
 * depend on the tokens). A branch that contains a Softmax (or
 * a fused attention op) is attention; one without is the MLP; an Add of one of each is a
 * parallel block. A block ends at its MLP. The residual stream after block L is the stream
 * entering block L+1; after the last block it is the add's output (pre-norm) or the graph output
 * it is normalised into (post-norm, where the norm belongs to the block).
 */
final class HookFinder {
    private static final Logger log = LoggerFactory.getLogger(HookFinder.class);

    /** Ops that multiply by weights: a path through one of these is a real branch. */
    private static final Set<String> MATMUL_OPS = Set.of(
            "MatMul",
            "Gemm",
            "MatMulInteger",
            "QLinearMatMul",
            "FusedMatMul",
            "MatMulNBits",
            "MatMulIntegerToFloat",
            "DynamicQuantizeMatMul",
            "QGemm",
            "Attention",
            "QAttention");

    private static final Set<String> ATTENTION_OPS = Set.of(
            "Softmax",
            "Attention",
            "QAttention",
            "MultiHeadAttention",
            "GroupQueryAttention",
            "PackedAttention",
            "PackedMultiHeadAttention",
            "DecoderMaskedMultiHeadAttention",
            "SparseAttention",
            "LongformerAttention");
    /** Ops whose output depends only on the shape of their input, not on its values. */
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Size");

    /** A hook found in the graph, before its width is known. */
    record Found(int layer, HookPoint.Kind kind, String tensor) {}

    private enum Role {
        ATTENTION,
        MLP,
        PARALLEL
    }

    private record Residual(String stream, String branch, String output, Role role, String attn, String mlp) {}

    private final GraphProto graph;
    private final List<NodeProto> order;
    private final Map<String, Integer> position;
    private final Map<String, NodeProto> producer = new HashMap<>();
    private final Set<String> constants = new HashSet<>();
    private final Map<NodeProto, Set<String>> reads = new IdentityHashMap<>();
    private Map<String, Integer> fromTokens;

    private HookFinder(GraphProto graph) {
        this.graph = graph;
        for (TensorProto t : graph.getInitializerList()) {
            constants.add(t.getName());
        }
        for (NodeProto n : graph.getNodeList()) {
            reads.put(n, OnnxGraph.reads(n));
            for (String out : n.getOutputList()) {
                producer.put(out, n);
            }
            if (n.getOpType().equals("Constant")) {
                constants.addAll(n.getOutputList());
            }
        }
        this.order = topologicalOrder();
        this.position = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            for (String out : order.get(i).getOutputList()) {
                position.put(out, i);
            }
        }
    }

    /** The hooks of every block, in order: per layer pre, attn, mlp, post (those that exist). */
    static List<Found> find(GraphProto graph) {
        return new HookFinder(graph).hooks();
    }

    private List<Found> hooks() {
        List<Residual> residuals = residuals();
        List<List<Residual>> blocks = new ArrayList<>();
        List<Residual> current = new ArrayList<>();
        for (Residual r : residuals) {
            current.add(r);
            if (r.role != Role.ATTENTION) {
                blocks.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            log.debug("ignoring {} residual adds after the last MLP: {}", current.size(), current);
        }
        List<Found> found = new ArrayList<>();
        for (int layer = 0; layer < blocks.size(); layer++) {
            List<Residual> block = blocks.get(layer);
            Residual first = block.get(0);
            Residual last = block.get(block.size() - 1);
            found.add(new Found(layer, HookPoint.Kind.RESID_PRE, first.stream));
            String attn = last.role == Role.PARALLEL ? last.attn : first.role == Role.ATTENTION ? first.branch : null;
            if (attn != null) {
                found.add(new Found(layer, HookPoint.Kind.ATTN_OUT, attn));
            }
            found.add(new Found(layer, HookPoint.Kind.MLP_OUT, last.role == Role.PARALLEL ? last.mlp : last.branch));
            String post = layer + 1 < blocks.size() ? blocks.get(layer + 1).get(0).stream : lastPost(blocks);
            if (post != null) {
                found.add(new Found(layer, HookPoint.Kind.RESID_POST, post));
            }
        }
        return found;
    }

    /** The residual stream after the last block: the add itself, or in a post-norm model the graph output it is normalised into. */
    private String lastPost(List<List<Residual>> blocks) {
        Residual last = lastOf(blocks.get(blocks.size() - 1));
        boolean postNorm = blocks.size() < 2
                ? false
                : !lastOf(blocks.get(blocks.size() - 2))
                        .output
                        .equals(blocks.get(blocks.size() - 1).get(0).stream);
        if (!postNorm) {
            return last.output;
        }
        Map<String, Integer> reach = reach(last.output);
        for (var out : graph.getOutputList()) {
            if (reach.getOrDefault(out.getName(), 0) == 1) {
                return out.getName();
            }
        }
        log.debug("post-norm model whose last block output is not a graph output; no hook after the last block");
        return null;
    }

    private static Residual lastOf(List<Residual> block) {
        return block.get(block.size() - 1);
    }

    private List<Residual> residuals() {
        fromTokens = reach(tokenInput());
        List<Residual> found = new ArrayList<>();
        for (NodeProto n : order) {
            if (!n.getOpType().equals("Add") || n.getInputCount() != 2) {
                continue;
            }
            String a = n.getInput(0);
            String b = n.getInput(1);
            if (constants.contains(a)
                    || constants.contains(b)
                    || !producer.containsKey(a) && !producer.containsKey(b)) {
                continue;
            }
            String stream = null;
            String branch = null;
            if (carriesTokens(a) && reach(a).getOrDefault(b, 0) == 2) {
                stream = a;
                branch = b;
            } else if (carriesTokens(b) && reach(b).getOrDefault(a, 0) == 2) {
                stream = b;
                branch = a;
            }
            if (stream != null) {
                found.add(classify(stream, branch, n.getOutput(0)));
            }
        }
        return found;
    }

    private boolean carriesTokens(String tensor) {
        return fromTokens.getOrDefault(tensor, 0) > 0;
    }

    /** The graph input holding token ids: {@code input_ids}, else the first input that is not an initializer. */
    private String tokenInput() {
        String first = null;
        for (var in : graph.getInputList()) {
            if (in.getName().equals(ModelInfo.INPUT_IDS)) {
                return in.getName();
            }
            if (first == null && !constants.contains(in.getName())) {
                first = in.getName();
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("the ONNX graph has no inputs");
        }
        return first;
    }

    private Residual classify(String stream, String branch, String output) {
        NodeProto p = producer.get(branch);
        if (p != null
                && p.getOpType().equals("Add")
                && p.getInputCount() == 2
                && !constants.contains(p.getInput(0))
                && !constants.contains(p.getInput(1))) {
            boolean left = hasAttention(p.getInput(0), stream);
            boolean right = hasAttention(p.getInput(1), stream);
            if (left != right) {
                return new Residual(
                        stream,
                        branch,
                        output,
                        Role.PARALLEL,
                        left ? p.getInput(0) : p.getInput(1),
                        left ? p.getInput(1) : p.getInput(0));
            }
        }
        Role role = hasAttention(branch, stream) ? Role.ATTENTION : Role.MLP;
        return new Residual(stream, branch, output, role, null, null);
    }

    /** Whether computing {@code tensor} from {@code stop} (not before it) involves attention. */
    private boolean hasAttention(String tensor, String stop) {
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.push(tensor);
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (t.equals(stop) || !seen.add(t)) {
                continue;
            }
            NodeProto n = producer.get(t);
            if (n == null || SHAPE_OPS.contains(n.getOpType())) {
                continue;
            }
            if (ATTENTION_OPS.contains(n.getOpType())) {
                return true;
            }
            for (String in : reads.get(n)) {
                todo.push(in);
            }
        }
        return false;
    }

    /**
     * For every tensor computed from {@code source}: 1 if it depends on its values, 2 if through a
     * matrix product. Dependencies through shape-only ops do not count.
     */
    private Map<String, Integer> reach(String source) {
        Map<String, Integer> status = new HashMap<>();
        status.put(source, 1);
        Integer start = position.get(source);
        for (int i = start == null ? 0 : start + 1; i < order.size(); i++) {
            NodeProto n = order.get(i);
            if (SHAPE_OPS.contains(n.getOpType())) {
                continue;
            }
            int r = 0;
            for (String in : reads.get(n)) {
                r = Math.max(r, status.getOrDefault(in, 0));
            }
            if (r == 0) {
                continue;
            }
            if (MATMUL_OPS.contains(n.getOpType())) {
                r = 2;
            }
            for (String out : n.getOutputList()) {
                status.put(out, r);
            }
        }
        return status;
    }

    /** Kahn's algorithm: ONNX requires sorted nodes, but not every exporter delivers them. */
    private List<NodeProto> topologicalOrder() {
        List<NodeProto> nodes = graph.getNodeList();
        Map<String, List<Integer>> consumers = new HashMap<>();
        int[] missing = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : reads.get(nodes.get(i))) {
                if (producer.containsKey(in)) {
                    missing[i]++;
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> sorted = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            NodeProto n = nodes.get(ready.poll());
            sorted.add(n);
            for (String out : n.getOutputList()) {
                for (int c : consumers.getOrDefault(out, List.of())) {
                    if (--missing[c] == 0) {
                        ready.add(c);
                    }
                }
            }
        }
        if (sorted.size() != nodes.size()) {
            throw new IllegalArgumentException("the ONNX graph has a cycle; it is not a valid model");
        }
        return sorted;
    }
}
