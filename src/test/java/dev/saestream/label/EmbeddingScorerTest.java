package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.saestream.catalog.FeatureState;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedding scorer runs in-process, from the model in the LangChain4j jar: no network. */
class EmbeddingScorerTest {
    private static EmbeddingScorer scorer;
    private static SyntheticCatalog catalog;
    private static BackgroundIndex background;

    @BeforeAll
    static void load() {
        scorer = EmbeddingScorer.load("all-minilm-l6-v2-q");
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(300), SyntheticCatalog.standardSpecs());
        background = catalog.backgroundIndex(400, 5);
    }

    private static List<Example> examples(int feature) {
        FeatureState state = catalog.state(feature, 1);
        return new ExampleSampler(LabelConfig.DEFAULTS)
                .sample(state, background, null)
                .scoring();
    }

    @Test
    void aFittingExplanationSeparatesActivatingFromNonActivating() {
        // given held-out windows of the "Parliament" feature
        List<Example> examples = examples(0);
        // when scored with a fitting explanation and with an unrelated one
        Score fitting = scorer.score("the word \"Parliament\"", catalog.state(0, 1), examples, 1, new CostMeter());
        Score unrelated = scorer.score("recipes for baking bread", catalog.state(0, 1), examples, 1, new CostMeter());
        // then the fitting one ranks activating windows higher, and both carry n and an interval around the value
        assertThat(fitting.metric()).isEqualTo("roc_auc");
        assertThat(fitting.n()).isEqualTo(examples.size()).isEqualTo(100);
        assertThat(fitting.value()).isGreaterThan(0.75).isGreaterThan(unrelated.value() + 0.15);
        assertThat(fitting.ciLow()).isLessThanOrEqualTo(fitting.value());
        assertThat(fitting.ciHigh()).isGreaterThanOrEqualTo(fitting.value());
        assertThat(fitting.parseFailures()).isZero();
        assertThat(fitting.model()).isEqualTo("all-minilm-l6-v2-q");
    }

    @Test
    void theScoreIsTheAucOfTheCosineSimilarities() {
        // the AUC recomputed from the model's own embeddings and the hand-checked Stats.auc
        List<Example> examples = examples(3);
        Score s = scorer.score("Europe", catalog.state(3, 1), examples, 1, new CostMeter());
        var model = new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel();
        float[] q = model.embed("Europe").content().vector();
        double[] pos = examples.stream()
                .filter(Example::activating)
                .mapToDouble(e -> cosine(q, model.embed(e.text()).content().vector()))
                .toArray();
        double[] neg = examples.stream()
                .filter(e -> !e.activating())
                .mapToDouble(e -> cosine(q, model.embed(e.text()).content().vector()))
                .toArray();
        assertThat(s.value()).isCloseTo(Stats.auc(pos, neg), within(1e-9));
        Stats.Interval ci = Stats.aucInterval(pos, neg);
        assertThat(s.ciLow()).isCloseTo(ci.low(), within(1e-9));
        assertThat(s.ciHigh()).isCloseTo(ci.high(), within(1e-9));
    }

    @Test
    void theModelsBuiltHereEmbedAsLangChain4jsOwnClassesDoOnTheirOwnThreads() {
        List<String> texts = List.of("The Commission's report on fisheries", "12.3", "Herr Präsident!");
        Map<String, EmbeddingModel> stock = Map.of(
                "all-minilm-l6-v2-q",
                new dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel(),
                "bge-small-en-v15-q",
                new dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel());
        stock.forEach((name, theirs) -> {
            EmbeddingModel ours = EmbeddingScorer.model(name);
            assertThat(EmbeddingScorer.model(name)).as("loaded once").isSameAs(ours);
            List<Embedding> mine = ours.embedAll(
                            texts.stream().map(TextSegment::from).toList())
                    .content();
            for (int i = 0; i < texts.size(); i++) {
                float[] reference = theirs.embed(texts.get(i)).content().vector();
                assertThat(mine.get(i).vector()).hasSameSizeAs(reference);
                assertThat(cosine(mine.get(i).vector(), reference))
                        .as(name + ": " + texts.get(i))
                        .isGreaterThan(0.99999);
            }
        });
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .anyMatch(n -> n.startsWith("embedding-"));
    }

    /** The reference: cos(a, b) = a·b / sqrt((a·a)(b·b)), in double. */
    static double cosine(float[] a, float[] b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    static double dot(float[] a, float[] b) {
        return IntStream.range(0, a.length)
                .mapToDouble(i -> (double) a[i] * b[i])
                .sum();
    }
}
