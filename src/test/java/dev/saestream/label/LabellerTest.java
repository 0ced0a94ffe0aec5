package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Npy;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One feature through the offline labeller: hard negatives from a decoder file or an SAE directory, warnings, history. */
class LabellerTest {
    private static SyntheticCatalog catalog;
    private static List<BackgroundWindow> windows;
    private static BackgroundIndex background;

    @TempDir
    static Path dir;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(250), SyntheticCatalog.standardSpecs());
        windows = catalog.background(400, 9);
        background = new BackgroundIndex();
        windows.forEach(w -> background.put(w.id(), w));
    }

    /** A decoder where "Parliament" (0) points almost where "Union" (11) does, and nowhere near the rest. */
    private static float[] parliamentNearUnion(int features) {
        float[] decoder = new float[features * features];
        for (int f = 0; f < features; f++) {
            decoder[f * features + f] = 1f;
        }
        decoder[0 * features + 11] = 0.9f;
        return decoder;
    }

    /** That decoder in a topk SAE saved by {@link Sae#save}, under the id {@code saeId}. */
    private static Path saeDirectory(String name, String saeId) throws Exception {
        int features = catalog.specs.size();
        SaeConfig config =
                SaeConfig.of(Architecture.TOPK, features, features, 2).withId(saeId);
        SaeWeights weights = SaeWeights.zeros(config);
        System.arraycopy(parliamentNearUnion(features), 0, weights.wDec(), 0, weights.wDec().length);
        Path saeDir = dir.resolve(name);
        Sae.of(config, weights).save(saeDir);
        return saeDir;
    }

    @Test
    void hardNegativesComeFromTheFeaturesWithTheClosestDecoderDirections() throws Exception {
        // given that decoder as a .npy file
        int features = catalog.specs.size();
        Path file = dir.resolve("decoder.npy");
        Npy.writeFloats(file, parliamentNearUnion(features), features, features);
        LabelConfig cfg = hardNegatives(8, 1, Map.of("test-sae", file.toString()), List.of());
        // when feature 0 is labelled, then eight of its negatives are windows where "Union" fires and "Parliament" does
        // not
        assertHardNegativesFireOnUnion(cfg);
    }

    @Test
    void hardNegativesComeFromTheDecoderOfAnSaeDirectoryWithTheFeaturesSaeId() throws Exception {
        // given that decoder in an SAE directory whose id is the features' SAE id, beside one of another SAE
        Path mine = saeDirectory("sae-mine", "test-sae");
        Path other = saeDirectory("sae-other", "other-sae");
        LabelConfig cfg = hardNegatives(8, 1, Map.of(), List.of(other.toString(), mine.toString()));
        // when feature 0 is labelled, then its hard negatives come from its own SAE's decoder
        assertThat(Labeller.decoders(cfg).keySet()).containsExactlyInAnyOrder("test-sae", "other-sae");
        assertHardNegativesFireOnUnion(cfg);
    }

    @Test
    void anSaeWithoutADecoderIsScoredWithoutHardNegativesAndTheLabelSaysSo() throws Exception {
        // given hard negatives asked for, and only another SAE's directory
        LabelConfig cfg = hardNegatives(
                8,
                LabelConfig.DEFAULTS.sampling().similarFeatures(),
                Map.of(),
                List.of(saeDirectory("sae-elsewhere", "elsewhere-sae").toString()));
        // when labelled, then there are only random negatives, and a warning names what is missing
        Label label = Labeller.create(cfg, background, Map.of()).label(catalog.state(0, 1), null);
        assertThat(label.basis().negativeIds()).hasSize(cfg.sampling().scoreNonActivating());
        assertThat(label.warnings())
                .containsExactly(
                        "no hard negatives: no decoder for SAE test-sae (label.sampling.saes, label.sampling.decoders)");
    }

    @Test
    void twoDecodersForOneSaeAreRefusedNamingBoth() throws Exception {
        Path sae = saeDirectory("sae-twice", "test-sae");
        int features = catalog.specs.size();
        Path file = dir.resolve("decoder-twice.npy");
        Npy.writeFloats(file, parliamentNearUnion(features), features, features);
        LabelConfig cfg = LabelConfig.DEFAULTS.withSampling(LabelConfig.DEFAULTS
                .sampling()
                .withDecoders(Map.of("test-sae", file.toString()), List.of(sae.toString())));
        assertThatThrownBy(() -> Labeller.decoders(cfg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label.sampling.saes: " + sae + " is SAE test-sae, whose decoder label.sampling.decoders: "
                        + file + " already gives; keep one of them");
        LabelConfig notAnSae = LabelConfig.DEFAULTS.withSampling(
                LabelConfig.DEFAULTS.sampling().withDecoders(Map.of(), List.of(dir.toString())));
        assertThatThrownBy(() -> Labeller.decoders(notAnSae))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("label.sampling.saes: " + dir + " is not an SAE directory: it has no cfg.json");
    }

    /** Scoring on 10 activating and 20 background windows, {@code count} of them hard negatives from these decoders. */
    private static LabelConfig hardNegatives(int count, int similar, Map<String, String> decoders, List<String> saes) {
        return LabelConfig.DEFAULTS.withSampling(LabelConfig.DEFAULTS
                .sampling()
                .withScoreWindows(10, 20)
                .withHardNegatives(count, similar)
                .withDecoders(decoders, saes));
    }

    private static void assertHardNegativesFireOnUnion(LabelConfig cfg) throws Exception {
        Label label = Labeller.create(cfg, background, Map.of()).label(catalog.state(0, 1), null);
        Map<String, BackgroundWindow> byId = new HashMap<>();
        windows.forEach(w -> byId.put(w.id(), w));
        List<String> negatives = label.basis().negativeIds();
        int random = cfg.sampling().scoreNonActivating();
        assertThat(negatives).hasSize(random + cfg.sampling().hardNegatives()).doesNotHaveDuplicates();
        for (String id : negatives.subList(random, negatives.size())) {
            assertThat(byId.get(id).fires(11)).as(id).isTrue();
            assertThat(byId.get(id).fires(0)).as(id).isFalse();
        }
        assertThat(label.scores().get("embedding").n())
                .isEqualTo(label.basis().scoreIds().size() + negatives.size());
        assertThat(label.warnings()).isEmpty();
    }

    @Test
    void withoutNonActivatingWindowsTheLabelSaysWhyItIsNotScored() throws Exception {
        Label label = Labeller.create(LabelConfig.DEFAULTS, new BackgroundIndex(), Map.of())
                .label(catalog.state(2, 1), null);
        assertThat(label.status()).isEqualTo(Label.Status.OK);
        assertThat(label.scores()).isEmpty();
        assertThat(label.warnings())
                .singleElement()
                .asString()
                .matches(
                        "not scored: [1-9]\\d* held-out activating and 0 non-activating windows \\(need at least one of each\\)");
    }

    @Test
    void everyScoreCarriesTheNullExplanationsScoreOnTheSameExamples() throws Exception {
        // given a labeller that has labelled "Parliament" (0) and "Commission" (1) already
        Labeller labeller = Labeller.create(LabelConfig.DEFAULTS, background, Map.of());
        Label first = labeller.label(catalog.state(0, 1), null);
        assertThat(first.scores().get("embedding").baseline())
                .as("nothing to draw a null from yet")
                .isNull();
        assertThat(first.scores().get("embedding").informative()).isNull();
        Label second = labeller.label(catalog.state(1, 1), null);
        assertThat(second.scores().get("embedding").baseline().explanation()).isEqualTo(first.explanation());

        // when "Rights" (7) is labelled
        FeatureState rights = catalog.state(7, 1);
        Label label = labeller.label(rights, null);

        // then its null is one of the other two explanations, scored by the same scorer on the very
        // examples the label was scored on (recomputed here from the sampler and a fresh scorer)
        Score score = label.scores().get("embedding");
        Score.Baseline baseline = score.baseline();
        assertThat(baseline.explanation()).isIn(first.explanation(), second.explanation());
        ExampleSampler.Samples samples = new ExampleSampler(LabelConfig.DEFAULTS).sample(rights, background, null);
        assertThat(samples.activating())
                .extracting(Example::id)
                .containsExactlyElementsOf(label.basis().scoreIds());
        Scorer scorer = EmbeddingScorer.load(LabelConfig.DEFAULTS.scoring().embeddingModel());
        long seed = Hashing.seed(rights.key(), rights.version());
        Score expected = scorer.score(baseline.explanation(), rights, samples.scoring(), seed, new CostMeter());
        assertThat(baseline.value()).isEqualTo(expected.value());
        assertThat(baseline.ciLow()).isEqualTo(expected.ciLow());
        assertThat(baseline.ciHigh()).isEqualTo(expected.ciHigh());
        assertThat(baseline.n())
                .isEqualTo(score.n())
                .isEqualTo(samples.scoring().size());
        assertThat(score.value())
                .isEqualTo(scorer.score(label.explanation(), rights, samples.scoring(), seed, new CostMeter())
                        .value());
        assertThat(score.informative()).isEqualTo(score.ciLow() > baseline.ciHigh());

        // and the same labeller draws the same null for the same feature version
        Labeller again = Labeller.create(LabelConfig.DEFAULTS, background, Map.of());
        again.remember(first);
        again.remember(second);
        assertThat(again.label(rights, null).scores().get("embedding").baseline())
                .isEqualTo(baseline);
    }

    @Test
    void withTheNullBaselineOffScoresHaveNone() throws Exception {
        LabelConfig cfg =
                LabelConfig.DEFAULTS.withScoring(LabelConfig.DEFAULTS.scoring().withNullBaseline(false));
        Labeller labeller = Labeller.create(cfg, background, Map.of());
        labeller.label(catalog.state(0, 1), null);
        assertThat(labeller.label(catalog.state(1, 1), null)
                        .scores()
                        .get("embedding")
                        .baseline())
                .isNull();
    }

    @Test
    void historyKeepsTheNewestEarlierLabelsUpToItsSize() throws Exception {
        LabelConfig cfg = LabelConfig.DEFAULTS.withHistorySize(2);
        Labeller labeller = Labeller.create(cfg, new BackgroundIndex(), Map.of());
        Label last = null;
        for (long v = 1; v <= 4; v++) {
            FeatureState s = catalog.state(2, v);
            last = labeller.label(s, last);
        }
        assertThat(last.basis().version()).isEqualTo(4);
        assertThat(last.history()).extracting(Label.HistoryEntry::version).containsExactly(3L, 2L);
    }
}
