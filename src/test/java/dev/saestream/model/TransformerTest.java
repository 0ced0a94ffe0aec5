package dev.saestream.model;

import static dev.saestream.model.TestModels.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.NodeProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * all-MiniLM-L6-v2 (the default model) at layer 3, against its own whole graph run by ONNX
 * Runtime: the reference for activations and outputs. The model is opened once for the class.
 */
class TransformerTest {
    private static final String ENGLISH = "The quick brown fox jumps over the lazy dog.";
    private static final String ACCENTED = "Café naïve résumé: Zürich señor, Cafe\u0301 déjà vu.";
    private static final String CJK = "東京は日本の首都です。北京欢迎你";
    private static final String EMOJI = "I love 🍕 and 👩‍👩‍👧 emoji 😀! ok";

    private static Transformer transformer;
    private static OnnxSession full;

    @BeforeAll
    static void open() throws IOException {
        transformer = Transformer.open(TestModels.bundled("all-minilm-l6-v2", "layer3"));
        full = OnnxSession.open(transformer.store().full(transformer.hook()), 2);
    }

    @AfterAll
    static void close() {
        full.close();
        transformer.close();
    }

    /** The whole graph on one window: its exposed tensors by name. */
    private static Map<String, HostTensor> runFull(HookWindow w) {
        List<String> inputs = full.inputs();
        return full.run(transformer.info().feed(inputs, List.of(w.ids()), w.length()), Set.of());
    }

    private static String longDocument() {
        StringBuilder sb = new StringBuilder();
        Random random = new Random(3);
        String[] words = {
            "parliament",
            "the",
            "commission",
            "élargissement",
            "東京",
            "proposal",
            "🍕",
            "vote",
            "council",
            "and",
            "Straße",
            "budget",
            "über",
            "report",
            "😀",
            "member",
            "states"
        };
        while (sb.length() < 20_000) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? ". " : " ");
        }
        return sb.substring(0, 20_000);
    }

    @Test
    void cutGraphEqualsTheFullGraphsExposedTensor() throws IOException {
        // given the cut graph, which has no node of layers 4 and 5
        ModelProto cut = OnnxGraph.load(transformer.store().cut(transformer.hook()));
        assertThat(cut.getGraph().getNodeList())
                .extracting(NodeProto::getName)
                .noneMatch(n -> n.contains("layer.4") || n.contains("layer.5"));

        for (String text : List.of(ENGLISH, ACCENTED, CJK, EMOJI)) {
            for (HookWindow w : transformer.hookWindows(text)) {
                // when the full graph runs the same window
                float[] expected = runFull(w).get(transformer.hook().tensor()).floats();

                // then every position, special tokens included, agrees
                assertThat(maxAbsDiff(w.activations(), 0, expected, 0, expected.length))
                        .isLessThan(1e-5f);
            }
        }
    }

    @Test
    void lastLayerHookIsTheLastHiddenState() throws IOException {
        try (Transformer last = Transformer.open(TestModels.bundled("all-minilm-l6-v2", "layer5"))) {
            assertThat(last.hook().tensor()).isEqualTo("last_hidden_state");
            HookWindow w = last.hookWindows(ENGLISH).get(0);
            float[] expected = runFull(w).get("last_hidden_state").floats();
            assertThat(maxAbsDiff(w.activations(), 0, expected, 0, expected.length))
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void spliceWithTheUnmodifiedActivationReproducesTheOutput() {
        // given
        List<HookWindow> windows = new ArrayList<>();
        for (String text : List.of(ENGLISH, EMOJI, CJK)) {
            windows.addAll(transformer.hookWindows(text));
        }

        // when the rest of the graph runs from the hook with the activations it produced
        List<SpliceResult> spliced = transformer.splice(
                windows, windows.stream().map(HookWindow::activations).toList());

        // then the last hidden state and its mean are the full model's
        for (int i = 0; i < windows.size(); i++) {
            float[] expected = runFull(windows.get(i)).get("last_hidden_state").floats();
            SpliceResult r = spliced.get(i);
            assertThat(r.tokens()).isEqualTo(windows.get(i).length());
            assertThat(maxAbsDiff(r.lastHiddenState(), 0, expected, 0, expected.length))
                    .isLessThan(1e-4f);
            float[] mean = new float[r.width()];
            for (int t = 0; t < r.tokens(); t++) {
                for (int j = 0; j < r.width(); j++) {
                    mean[j] += expected[t * r.width() + j] / r.tokens();
                }
            }
            assertThat(maxAbsDiff(r.meanPooled(), 0, mean, 0, mean.length)).isLessThan(1e-4f);
        }
    }

    @Test
    void spliceWithAChangedActivationChangesTheOutput() {
        HookWindow w = transformer.hookWindows(ENGLISH).get(0);
        float[] zeroed = w.activations().clone();
        Arrays.fill(zeroed, 3 * w.width(), 4 * w.width(), 0f);

        SpliceResult original =
                transformer.splice(List.of(w), List.of(w.activations())).get(0);
        SpliceResult changed = transformer.splice(List.of(w), List.of(zeroed)).get(0);

        assertThat(maxAbsDiff(original.lastHiddenState(), 0, changed.lastHiddenState(), 0, zeroed.length))
                .isGreaterThan(0.1f);
    }

    @Test
    void tokensAndOffsetsFollowTheText() throws IOException {
        List<String> texts = List.of(ENGLISH, ACCENTED, CJK, EMOJI);
        List<TokenActivations> result = transformer.extract(texts);
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder()
                .optTokenizerPath(transformer.store().tokenizer())
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build()) {
            for (int d = 0; d < texts.size(); d++) {
                String text = texts.get(d);
                TokenActivations t = result.get(d);
                Encoding e = reference.encode(text);
                // the tokenizer's own tokens, no special ones, each once
                assertThat(t.tokens()).containsExactly(e.getTokens());
                assertThat(Arrays.stream(t.ids()).asLongStream().toArray()).containsExactly(e.getIds());
                assertThat(t.special()).doesNotContain(true);
                assertThat(t.activations()).hasSize(t.size() * t.width());
                for (int i = 0; i < t.size(); i++) {
                    String piece = text.substring(t.starts()[i], t.ends()[i]);
                    assertThat(piece).isNotEmpty();
                    assertThat(Character.isLowSurrogate(text.charAt(t.starts()[i])))
                            .isFalse();
                    if (!t.tokens().get(i).equals("[UNK]")) {
                        assertThat(bertNormalized(piece))
                                .as("token %d of %s", i, text)
                                .isEqualTo(t.tokens().get(i).replaceFirst("^##", ""));
                    }
                    if (i > 0) {
                        assertThat(t.starts()[i]).isGreaterThanOrEqualTo(t.ends()[i - 1]);
                    }
                }
            }
        }
        // the emoji are unknown to MiniLM's vocabulary; their spans are whole surrogate pairs
        TokenActivations emoji = result.get(3);
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < emoji.size(); i++) {
            if (emoji.tokens().get(i).equals("[UNK]")) {
                unknown.add(EMOJI.substring(emoji.starts()[i], emoji.ends()[i]));
            }
        }
        assertThat(unknown).containsExactly("🍕", "👩‍👩‍👧", "😀");
    }

    /** What BERT's uncased normalizer does to a piece of text: decompose, drop accents, lower-case. */
    private static String bertNormalized(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD)
                .replaceAll("\\p{Mn}", "")
                .toLowerCase(Locale.ROOT);
    }

    @Test
    void longDocumentComesBackOnceInOrderFromTheWindowsThatKeepIt() throws IOException {
        // given a 20,000-character document: many windows of 256 tokens
        String doc = longDocument();
        List<HookWindow> windows = transformer.hookWindows(doc);
        assertThat(windows.size()).isGreaterThan(10);

        // when
        TokenActivations t = transformer.extract(List.of(doc)).get(0);

        // then the tokens are the tokenizer's, once each, in order
        try (HuggingFaceTokenizer reference = HuggingFaceTokenizer.builder()
                .optTokenizerPath(transformer.store().tokenizer())
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build()) {
            assertThat(t.tokens()).containsExactly(reference.encode(doc).getTokens());
        }
        for (int i = 1; i < t.size(); i++) {
            assertThat(t.starts()[i]).isGreaterThanOrEqualTo(t.ends()[i - 1]);
        }
        assertThat(t.ends()[t.size() - 1]).isLessThanOrEqualTo(doc.length());
        // and each token's activation is the one its window computed, away from the window's edge
        List<Windows.Window> plan = Windows.plan(t.size(), transformer.maxTokens() - 2, 32);
        for (int k = 0; k < plan.size(); k++) {
            HookWindow w = windows.get(k);
            for (int i = plan.get(k).keepFrom(); i < plan.get(k).keepTo(); i++) {
                int position = 1 + i - plan.get(k).start();
                assertThat(w.contentIndex()[position]).isEqualTo(i);
                assertThat(maxAbsDiff(t.activations(), i * t.width(), w.activations(), position * w.width(), t.width()))
                        .isLessThan(1e-5f);
            }
        }
    }

    @Test
    void aTextsActivationsDoNotDependOnTheTextsBatchedWithIt() {
        float[] alone = transformer.extract(List.of(ENGLISH)).get(0).activations();
        float[] batched = transformer
                .extract(List.of(longDocument().substring(0, 2000), ENGLISH, CJK))
                .get(1)
                .activations();

        assertThat(transformer.info().batchCoupled()).isFalse();
        assertThat(maxAbsDiff(batched, 0, alone, 0, alone.length)).isLessThan(1e-6f);
    }

    @Test
    void emptyTextGivesZeroTokens() {
        List<TokenActivations> result = transformer.extract(List.of("", "   \n\t", "ok"));

        assertThat(result.get(0).size()).isZero();
        assertThat(result.get(0).activations()).isEmpty();
        assertThat(result.get(1).size()).isZero();
        assertThat(result.get(2).tokens()).containsExactly("ok");
        assertThat(transformer.hookWindows("")).isEmpty();
    }

    @Test
    void specialTokensComeBackWhenConfigured() throws IOException {
        ModelConfig c = TestModels.bundled("all-minilm-l6-v2", "layer3");
        ModelConfig withSpecials = c.withSpecialTokens(true);
        try (Transformer t = Transformer.open(withSpecials)) {
            TokenActivations a = t.extract(List.of("Hello world")).get(0);
            assertThat(a.tokens()).containsExactly("[CLS]", "hello", "world", "[SEP]");
            assertThat(a.special()).containsExactly(true, false, false, true);
            assertThat(a.starts()).containsExactly(0, 0, 6, 11);
            assertThat(a.ends()).containsExactly(0, 5, 11, 11);
            // the content rows are the ones extracted without specials
            TokenActivations plain = transformer.extract(List.of("Hello world")).get(0);
            assertThat(maxAbsDiff(a.activations(), a.width(), plain.activations(), 0, 2 * a.width()))
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void unknownHookListsTheValidOnes() {
        assertThatThrownBy(() -> Transformer.open(TestModels.bundled("all-minilm-l6-v2", "layer9")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no hook 'layer9'")
                .hasMessageContaining("layer0.pre, layer0.attn, layer0.mlp, layer0,")
                .hasMessageContaining("layer5.mlp, layer5");
    }

    @Test
    void hooksAreNamedByAliasSaeLensNameOrTensor() throws IOException {
        List<HookPoint> hooks = Transformer.hooks(TestModels.bundled("all-minilm-l6-v2", "layer3"));
        ModelInfo info = transformer.info();

        assertThat(hooks).hasSize(24).allMatch(h -> h.width() == 384);
        assertThat(info.hook("blocks.3.hook_resid_post")).isEqualTo(transformer.hook());
        assertThat(info.hook(" LAYER3 ")).isEqualTo(transformer.hook());
        assertThat(info.hook("/encoder/layer.3/output/LayerNorm/Add_1_output_0"))
                .isEqualTo(transformer.hook());
        assertThat(info.hook("layer4.pre").tensor())
                .isEqualTo(transformer.hook().tensor());
        assertThat(transformer.modelId()).isEqualTo("all-minilm-l6-v2");
        assertThat(transformer.maxTokens()).isEqualTo(256);
    }

    @Test
    void headOutputsComeBackPerTokenInDocumentOrder() throws IOException {
        // given a head projecting each activation on 6 seeded random directions, then taking the top 2
        int d = transformer.width();
        int n = 6;
        float[] w = new float[d * n];
        Random random = new Random(5);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        TensorProto.Builder weight = TensorProto.newBuilder()
                .setName("probe.w")
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(d)
                .addDims(n);
        for (float f : w) {
            weight.addFloatData(f);
        }
        TensorProto k = TensorProto.newBuilder()
                .setName("probe.k")
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(1)
                .addInt64Data(2)
                .build();
        Head head = new Head(
                List.of(
                        NodeProto.newBuilder()
                                .setOpType("MatMul")
                                .setName("probe.mm")
                                .addInput(Head.INPUT)
                                .addInput("probe.w")
                                .addOutput("probe.proj")
                                .build(),
                        NodeProto.newBuilder()
                                .setOpType("TopK")
                                .setName("probe.topk")
                                .addInput("probe.proj")
                                .addInput("probe.k")
                                .addOutput("probe.values")
                                .addOutput("probe.indices")
                                .build()),
                List.of(weight.build(), k),
                List.of(
                        OnnxGraph.perToken("probe.proj", TensorProto.DataType.FLOAT, n),
                        OnnxGraph.perToken("probe.values", TensorProto.DataType.FLOAT, 2),
                        OnnxGraph.perToken("probe.indices", TensorProto.DataType.INT64, 2)),
                true);
        String doc = longDocument().substring(0, 3000);

        // when
        TokenActivations t;
        try (Transformer withHead = Transformer.open(TestModels.bundled("all-minilm-l6-v2", "layer3"), head)) {
            t = withHead.extract(List.of(doc)).get(0);
        }

        // then every token's outputs are its activation times W, and the top two of those
        float[] proj = t.head().get("probe.proj").floats();
        float[] values = t.head().get("probe.values").floats();
        int[] indices = t.head().get("probe.indices").ints();
        assertThat(t.size()).isGreaterThan(transformer.maxTokens());
        for (int i = 0; i < t.size(); i++) {
            double[] expected = new double[n];
            for (int j = 0; j < n; j++) {
                for (int a = 0; a < d; a++) {
                    expected[j] += (double) t.activations()[i * d + a] * w[a * n + j];
                }
                assertThat(proj[i * n + j]).isCloseTo((float) expected[j], within(1e-3f));
            }
            Integer[] order = {0, 1, 2, 3, 4, 5};
            Arrays.sort(order, (x, y) -> Double.compare(expected[y], expected[x]));
            assertThat(indices[2 * i]).isEqualTo(order[0]);
            assertThat(indices[2 * i + 1]).isEqualTo(order[1]);
            assertThat(values[2 * i]).isEqualTo(proj[i * n + order[0]]);
        }
    }

    @Test
    void severalThreadsMayShareOneTransformer() throws Exception {
        List<String> a = List.of(ENGLISH, CJK);
        List<String> b = List.of(EMOJI, ACCENTED, ENGLISH);
        List<TokenActivations> aAlone = transformer.extract(a);
        List<TokenActivations> bAlone = transformer.extract(b);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Future<List<TokenActivations>> fa = pool.submit(() -> transformer.extract(a));
                Future<List<TokenActivations>> fb = pool.submit(() -> transformer.extract(b));
                List<TokenActivations> ra = fa.get();
                List<TokenActivations> rb = fb.get();
                for (int i = 0; i < a.size(); i++) {
                    assertThat(ra.get(i).activations())
                            .containsExactly(aAlone.get(i).activations());
                }
                for (int i = 0; i < b.size(); i++) {
                    assertThat(rb.get(i).activations())
                            .containsExactly(bAlone.get(i).activations());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
