package dev.saestream.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.model.HookPoint.Kind;
import dev.saestream.model.onnx.Onnx.GraphProto;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookFinderTest {
    private static List<String> describe(List<HookFinder.Found> found) {
        return found.stream()
                .map(f -> f.layer() + " " + f.kind() + " " + f.tensor())
                .toList();
    }

    private static ModelProto bundled(String resource) throws IOException {
        try (InputStream in = HookFinderTest.class.getResourceAsStream(resource)) {
            return OnnxGraph.load(in, resource);
        }
    }

    /** The tensors of BERT layer L as the PyTorch exporter names them, read off the graph by hand. */
    private static List<String> bertLayer(int layer, String pre, String post) {
        String p = "/encoder/layer." + layer + "/";
        return List.of(
                layer + " RESID_PRE " + pre,
                layer + " ATTN_OUT " + p + "attention/output/dense/Add_output_0",
                layer + " MLP_OUT " + p + "output/dense/Add_output_0",
                layer + " RESID_POST " + post);
    }

    @Test
    void findsEveryBlockOfPostNormBert() throws IOException {
        // given the quantized MiniLM (6 BERT layers, the residual stream normalised inside each block)
        ModelProto model = bundled("/all-minilm-l6-v2-q.onnx");

        // when
        List<HookFinder.Found> found = HookFinder.find(model.getGraph());

        // then the stream after block L is its output LayerNorm, and after the last block the graph output
        List<String> expected = new ArrayList<>();
        String stream = "/embeddings/LayerNorm/Add_1_output_0";
        for (int l = 0; l < 6; l++) {
            String post = l == 5 ? "last_hidden_state" : "/encoder/layer." + l + "/output/LayerNorm/Add_1_output_0";
            expected.addAll(bertLayer(l, stream, post));
            stream = post;
        }
        assertThat(describe(found)).containsExactlyElementsOf(expected);
    }

    @Test
    void findsPreNormBlocksAndStopsBeforeTheFinalNorm() {
        // given a GPT-2-style graph whose MLP has x + 0.044715·x³ and whose attention adds a mask
        GraphProto g = TestGraphs.preNorm(2).getGraph();

        // when
        List<HookFinder.Found> found = HookFinder.find(g);

        // then neither add passes for a residual, and the last block ends at its add, not at ln_f
        assertThat(describe(found))
                .containsExactly(
                        "0 RESID_PRE embeddings",
                        "0 ATTN_OUT h0.attn_out",
                        "0 MLP_OUT h0.mlp_out",
                        "0 RESID_POST h0.resid",
                        "1 RESID_PRE h0.resid",
                        "1 ATTN_OUT h1.attn_out",
                        "1 MLP_OUT h1.mlp_out",
                        "1 RESID_POST h1.resid");
    }

    @Test
    void findsParallelResidualBlocks() {
        // given a GPT-NeoX-style graph: x + attn(ln1(x)) + mlp(ln2(x))
        GraphProto g = TestGraphs.parallel(3).getGraph();

        // when
        List<HookFinder.Found> found = HookFinder.find(g);

        // then attention and MLP are told apart inside the one residual add
        List<String> expected = new ArrayList<>();
        String stream = "embeddings";
        for (int l = 0; l < 3; l++) {
            expected.addAll(List.of(
                    l + " RESID_PRE " + stream,
                    l + " ATTN_OUT h" + l + ".attn_out",
                    l + " MLP_OUT h" + l + ".mlp_out",
                    l + " RESID_POST h" + l + ".resid"));
            stream = "h" + l + ".resid";
        }
        assertThat(describe(found)).containsExactlyElementsOf(expected);
    }

    @Test
    void findsTheSameHooksWhenEveryNameIsScrambled() throws IOException {
        // given MiniLM with every node and intermediate tensor renamed to a meaningless t123
        GraphProto original = bundled("/all-minilm-l6-v2-q.onnx").getGraph();
        Map<String, String> rename = new HashMap<>();
        GraphProto.Builder scrambled = original.toBuilder().clearNode();
        for (NodeProto n : original.getNodeList()) {
            NodeProto.Builder b =
                    n.toBuilder().setName("n" + rename.size()).clearInput().clearOutput();
            n.getInputList().forEach(in -> b.addInput(rename.getOrDefault(in, in)));
            for (String out : n.getOutputList()) {
                String name = out.equals("last_hidden_state") ? out : "t" + rename.size();
                rename.put(out, name);
                b.addOutput(name);
            }
            scrambled.addNode(b);
        }

        // when
        List<HookFinder.Found> found = HookFinder.find(scrambled.build());

        // then the hooks are the renamed versions of the ones found by structure in the original
        List<String> expected = HookFinder.find(original).stream()
                .map(f -> f.layer() + " " + f.kind() + " " + rename.getOrDefault(f.tensor(), f.tensor()))
                .toList();
        assertThat(describe(found)).hasSize(24).containsExactlyElementsOf(expected);
    }

    @Test
    void aliasesFollowTheKind() {
        assertThat(HookPoint.of(3, Kind.RESID_POST, "t", 4).alias()).isEqualTo("layer3");
        assertThat(HookPoint.of(3, Kind.RESID_PRE, "t", 4).alias()).isEqualTo("layer3.pre");
        assertThat(HookPoint.of(0, Kind.ATTN_OUT, "t", 4).saeLensName()).isEqualTo("blocks.0.hook_attn_out");
    }
}
