package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.Europarl;
import dev.saestream.model.HookWindow;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.SpliceResult;
import dev.saestream.model.Transformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The splice over all-MiniLM-L6-v2 at layer 3. The reference embedding is LangChain4j's own
 * all-MiniLM-L6-v2 (its ONNX model run whole, mean-pooled and normalised), an independent
 * computation of the same sentence embedding.
 */
class TransformerSpliceTest {
    static final Path CACHE = Path.of("target", "test-model-cache");
    /** The default SAE shipped in the repository. */
    static final Path SHIPPED_SAE = Path.of("saes", "all-minilm-l6-v2-layer3");

    static final String SHORT = "The committee adopted the report on fisheries by a large majority.";

    static Transformer transformer;

    @BeforeAll
    static void open() throws IOException {
        transformer = Transformer.open(
                new ModelConfig("all-minilm-l6-v2", null, "layer3", 0, 32, 8, 2, false, CACHE.toString(), "cpu"));
    }

    @AfterAll
    static void close() {
        transformer.close();
    }

    static String longText() {
        StringBuilder sb = new StringBuilder();
        Random rnd = new Random(5);
        String[] words = {"the", "council", "agreed", "on", "a", "budget", "for", "fisheries", "and", "transport", "."};
        while (sb.length() < 4000) {
            sb.append(words[rnd.nextInt(words.length)]).append(' ');
        }
        return sb.toString();
    }

    static float[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void cleanEmbeddingIsTheModelsSentenceEmbedding() {
        // given LangChain4j's all-MiniLM-L6-v2, which runs the whole model and mean-pools every position
        float[] expected =
                new AllMiniLmL6V2EmbeddingModel().embed(SHORT).content().vector();

        // when
        HookSplice.Run run = new TransformerSplice(transformer, false).run(new Document("d", SHORT, null, null, null));

        // then, normalised as sentence-transformers normalises
        assertThat(maxAbsDiff(normalised(run.cleanEmbedding()), expected)).isLessThan(1e-4f);
    }

    @Test
    void feedingBackTheUnmodifiedActivationsGivesTheCleanEmbedding() {
        for (String text : List.of(SHORT, longText())) {
            // given
            HookSplice.Run run =
                    new TransformerSplice(transformer, false).run(new Document("d", text, null, null, null));

            // when
            float[] spliced = run.embedWithHook(run.hookActivations());

            // then
            assertThat(maxAbsDiff(spliced, run.cleanEmbedding()))
                    .as(text.length() + " chars")
                    .isLessThan(1e-4f);
        }
    }

    @Test
    void replacedTokensAreTheTextsTokensAndSpecialsOnlyWhenAsked() {
        // given a text that fits one window: [CLS] tokens [SEP]
        int textTokens = transformer.extract(List.of(SHORT)).get(0).size();
        Document doc = new Document("d", SHORT, null, null, null);

        // then
        assertThat(new TransformerSplice(transformer, false).run(doc).tokens()).isEqualTo(textTokens);
        assertThat(new TransformerSplice(transformer, true).run(doc).tokens()).isEqualTo(textTokens + 2);
        HookSplice.Run run = new TransformerSplice(transformer, false).run(doc);
        float[] firstToken = new float[transformer.width()];
        System.arraycopy(run.hookActivations(), 0, firstToken, 0, firstToken.length);
        assertThat(firstToken)
                .containsExactly(transformer.extract(List.of(SHORT)).get(0).row(0));
    }

    @Test
    void aLongDocumentsEmbeddingIsThePositionWeightedMeanOfItsWindows() {
        // given a text of several windows
        String text = longText();
        List<HookWindow> windows = transformer.hookWindows(text);
        assertThat(windows.size()).isGreaterThan(2);

        // when
        float[] embedding = new TransformerSplice(transformer, false)
                .run(new Document("d", text, null, null, null))
                .cleanEmbedding();

        // then: Σ_w positions_w · mean_w / Σ_w positions_w, from each window's own splice
        List<SpliceResult> each = transformer.splice(
                windows, windows.stream().map(HookWindow::activations).toList());
        double[] sum = new double[each.get(0).width()];
        long positions = 0;
        for (SpliceResult r : each) {
            for (int e = 0; e < sum.length; e++) {
                sum[e] += (double) r.meanPooled()[e] * r.tokens();
            }
            positions += r.tokens();
        }
        float[] expected = new float[sum.length];
        for (int e = 0; e < sum.length; e++) {
            expected[e] = (float) (sum[e] / positions);
        }
        assertThat(maxAbsDiff(embedding, expected)).isLessThan(1e-5f);
    }

    @Test
    void zeroAblationScoresBelowTheShippedSaesReconstruction() throws IOException {
        // given the default SAE, trained on Europarl, and held-out Europarl documents
        Sae sae = Sae.load(SHIPPED_SAE);
        HookSplice splice = new TransformerSplice(transformer, false);
        DownstreamFidelity.Accumulator acc = new DownstreamFidelity.Accumulator(sae);

        // when
        try (Stream<Document> docs = Europarl.documents(400)) {
            docs.filter(DocumentSplit::evaluation).limit(8).forEach(d -> acc.add(splice, d));
        }
        DownstreamFidelity f = acc.result();

        // then
        assertThat(f.documents()).isEqualTo(8);
        assertThat(f.meanCosineSae()).isGreaterThan(f.meanCosineZero());
        assertThat(f.score()).isBetween(0.5, 1.0);
    }
}
