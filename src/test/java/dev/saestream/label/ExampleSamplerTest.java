package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExampleSamplerTest {
    private static SyntheticCatalog catalog;

    @BeforeAll
    static void corpus() {
        List<SyntheticCatalog.Spec> specs = new ArrayList<>();
        // 120 features, each firing on the token types whose hash falls in its bucket: windows of
        // different features (and of one feature) overlap all over the same documents
        for (int f = 0; f < 120; f++) {
            int bucket = f;
            specs.add(new SyntheticCatalog.Spec(
                    f, t -> !t.isEmpty() && Math.floorMod(t.hashCode(), 150) == bucket, 1f + f % 7));
        }
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(250), specs);
    }

    @Test
    void explanationAndScoringSamplesNeverShareAWindowAcrossManyFeatures() {
        // given many features over shared documents, and a background sample
        ExampleSampler sampler = new ExampleSampler(LabelConfig.DEFAULTS);
        BackgroundIndex background = catalog.backgroundIndex(400, 1);
        List<BackgroundWindow> backgroundWindows = catalog.background(400, 1);
        int checked = 0;
        for (SyntheticCatalog.Spec spec : catalog.specs) {
            FeatureState state = catalog.state(spec.index(), 3);
            if (state.windows() < 300) {
                continue;
            }
            // when each is sampled
            ExampleSampler.Samples s = sampler.sample(state, background, null);
            // then no scoring window is, or overlaps, a window the explanation was drawn from
            Set<String> explainIds = new HashSet<>();
            for (FeatureWindow w : s.explain()) {
                explainIds.add(w.id());
                assertThat(ExampleSampler.explainSide(
                                w.doc(),
                                w.peak(),
                                LabelConfig.DEFAULTS.sampling().splitBlockTokens()))
                        .isTrue();
            }
            for (Example e : s.scoring()) {
                assertThat(explainIds).as("feature %d", spec.index()).doesNotContain(e.id());
                for (FeatureWindow w : s.explain()) {
                    boolean overlap =
                            w.doc().equals(e.doc()) && e.first() < w.first() + w.tokens().length && w.first() < e.end();
                    assertThat(overlap)
                            .as("feature %d: %s overlaps %s", spec.index(), e.id(), w.id())
                            .isFalse();
                }
            }
            for (Example e : s.activating()) {
                assertThat(ExampleSampler.explainSide(
                                e.doc(),
                                Integer.parseInt(e.id().substring(e.id().indexOf('#') + 1)),
                                LabelConfig.DEFAULTS.sampling().splitBlockTokens()))
                        .isFalse();
            }
            // and the sizes are the defaults, or everything eligible when there is less
            int block = LabelConfig.DEFAULTS.sampling().splitBlockTokens();
            long scorable =
                    state.reservoir().stream().map(FeatureWindow::id).distinct().count()
                            - state.reservoir().stream()
                                    .filter(w -> ExampleSampler.explainSide(w.doc(), w.peak(), block))
                                    .map(FeatureWindow::id)
                                    .distinct()
                                    .count()
                            - state.reservoir().stream()
                                    .filter(w -> !ExampleSampler.explainSide(w.doc(), w.peak(), block)
                                            && overlapsAny(
                                                    s.explain(), w.doc(), w.first(), w.first() + w.tokens().length))
                                    .map(FeatureWindow::id)
                                    .distinct()
                                    .count();
            long zero = backgroundWindows.stream()
                    .filter(w -> !w.fires(spec.index())
                            && !overlapsAny(s.explain(), w.doc(), w.first(), w.first() + w.tokens().length))
                    .count();
            assertThat(s.explain()).hasSize(40);
            assertThat(s.activating()).hasSize((int) Math.min(50, scorable));
            assertThat(s.negatives())
                    .hasSize((int) Math.min(50, zero))
                    .allMatch(e -> !e.activating() && allZero(e.acts()));
            checked++;
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void aFeatureWithEveryWindowOnTheScoringSideIsExplainedFromItsTopWindowsStillDisjointFromScoring() {
        // given a feature whose windows all fall on the scoring side of the split (as when it fired in a few
        // stretches of text only): before, it had no examples to explain from and its label failed
        int block = LabelConfig.DEFAULTS.sampling().splitBlockTokens();
        FeatureState full = catalog.state(7, 3);
        List<FeatureWindow> top = full.top().stream()
                .filter(w -> !ExampleSampler.explainSide(w.doc(), w.peak(), block))
                .toList();
        List<FeatureWindow> reservoir = full.reservoir().stream()
                .filter(w -> !ExampleSampler.explainSide(w.doc(), w.peak(), block))
                .toList();
        FeatureState state = new FeatureState(
                full.saeId(),
                full.index(),
                full.version(),
                full.tokensSeen(),
                full.activations(),
                full.documents(),
                reservoir.size(),
                full.sum(),
                full.max(),
                full.histogram(),
                top,
                reservoir,
                full.updatedMs());
        assertThat(top)
                .as("precondition: scoring-side top windows")
                .hasSizeGreaterThan(LabelConfig.DEFAULTS.sampling().explainTop());

        // when it is sampled
        ExampleSampler.Samples s =
                new ExampleSampler(LabelConfig.DEFAULTS).sample(state, catalog.backgroundIndex(200, 2), null);

        // then it is explained from its strongest windows, and no scoring window is or overlaps one of them
        assertThat(s.explain())
                .isEqualTo(top.subList(0, LabelConfig.DEFAULTS.sampling().explainTop()));
        for (Example e : s.scoring()) {
            assertThat(overlapsAny(s.explain(), e.doc(), e.first(), e.end()))
                    .as(e.id())
                    .isFalse();
        }
        assertThat(s.activating()).isNotEmpty();
    }

    @Test
    void theSameStateGivesTheSameSample() {
        ExampleSampler sampler = new ExampleSampler(LabelConfig.DEFAULTS);
        BackgroundIndex background = catalog.backgroundIndex(200, 2);
        FeatureState state = catalog.state(5, 9);
        ExampleSampler.Samples a = sampler.sample(state, background, null);
        ExampleSampler.Samples b = sampler.sample(state, background, null);
        assertThat(a).isEqualTo(b);
        assertThat(sampler.sample(catalog.state(5, 10), background, null).activating())
                .isNotEqualTo(a.activating());
    }

    @Test
    void stratifiedSampleTakesEvenSharesOfEachQuantileUpperGroupsFirst() {
        // given 100 windows peaking at 1..100
        List<FeatureWindow> pool = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            pool.add(new FeatureWindow("d" + i, 0, 0, new String[] {" x"}, new float[] {i}));
        }
        // when 7 are taken from 5 quantile groups
        List<ExampleSampler.Stratum> got = ExampleSampler.stratified(pool, 7, 5, new Random(1));
        // then groups 4 and 3 (the top 40%) give two each, the others one, each from its own fifth
        int[] perGroup = new int[5];
        for (ExampleSampler.Stratum s : got) {
            perGroup[s.quantile()]++;
            assertThat((int) (s.window().max() - 1) / 20).isEqualTo(s.quantile());
        }
        assertThat(perGroup).containsExactly(1, 1, 1, 2, 2);
        // and a pool smaller than the ask gives all of it
        assertThat(ExampleSampler.stratified(pool.subList(0, 3), 20, 5, new Random(1)))
                .hasSize(3);
    }

    @Test
    void hardNegativesAreWindowsWhereASimilarFeatureFiresAndThisOneDoesNot() {
        LabelConfig cfg = LabelConfig.DEFAULTS.withSampling(LabelConfig.DEFAULTS
                .sampling()
                .withHardNegatives(10, LabelConfig.DEFAULTS.sampling().similarFeatures()));
        BackgroundIndex background = catalog.backgroundIndex(400, 3);
        FeatureState state = catalog.state(0, 1);
        ExampleSampler.Samples s = new ExampleSampler(cfg).sample(state, background, new int[] {40, 80});
        List<Example> hard = s.negatives().stream()
                .filter(e -> e.kind() == Example.Kind.HARD_NEGATIVE)
                .toList();
        assertThat(hard).hasSize(10);
        Map<String, BackgroundWindow> byId = new java.util.HashMap<>();
        catalog.background(400, 3).forEach(w -> byId.put(w.id(), w));
        for (Example e : hard) {
            BackgroundWindow w = byId.get(e.id());
            assertThat(w.fires(0)).isFalse();
            assertThat(w.fires(40) || w.fires(80)).isTrue();
        }
        assertThat(s.negatives().stream().map(Example::id).distinct().count())
                .isEqualTo(s.negatives().size());
    }

    private static boolean overlapsAny(List<FeatureWindow> windows, String doc, int first, int end) {
        return windows.stream()
                .anyMatch(w -> w.doc().equals(doc) && first < w.first() + w.tokens().length && w.first() < end);
    }

    private static boolean allZero(float[] a) {
        for (float x : a) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
