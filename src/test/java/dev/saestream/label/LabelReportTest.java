package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The label report's figures, each recomputed here by brute force over made-up labels. */
class LabelReportTest {
    private static final double Z = 1.959963984540054;

    private record Made(Label label, double density) {}

    /** Feature {@code i}: an AUC score, a null on three features in four, parse failures on some. */
    private static Made made(int i, Random random) {
        double value = 0.4 + 0.6 * random.nextDouble();
        double half = 0.02 + 0.1 * random.nextDouble();
        Score score = new Score(
                "roc_auc",
                value,
                100,
                Math.max(0, value - half),
                Math.min(1, value + half),
                "delong",
                i % 7 == 0 ? 3 : 0,
                i % 7 == 0 ? 0.03 : 0,
                "m",
                Map.of(),
                List.of());
        if (i % 4 != 0) {
            double nv = 0.3 + 0.4 * random.nextDouble();
            score = score.withBaseline(new Score.Baseline(nv, nv - 0.05, nv + 0.05, 100, "another feature's"));
        }
        double density = random.nextDouble() * 1e-2;
        Label.Basis basis =
                new Label.Basis(3, density, 10, 30, 1f, List.of("d#" + i, "e#" + i), List.of(), List.of(), List.of());
        Label label = new Label(
                "sae",
                i,
                Label.Status.OK,
                null,
                "explanation " + i,
                new Label.ExplainerInfo("offline", null, "m"),
                Map.of("embedding", score),
                Cost.NONE,
                basis,
                0,
                List.of(),
                List.of());
        return new Made(label, density);
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
    }

    private static double halfWidth(List<Double> v) {
        double m = mean(v);
        double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
        return Z * Math.sqrt(ss / (v.size() - 1) / v.size());
    }

    @Test
    void figuresMatchABruteForceCountOverTheLabels() {
        Random random = new Random(13);
        List<Made> made = IntStream.range(0, 103).mapToObj(i -> made(i, random)).toList();
        List<Label> labels = new ArrayList<>(made.stream().map(Made::label).toList());
        labels.add(new Label(
                "sae",
                500,
                Label.Status.FAILED,
                "no examples",
                null,
                new Label.ExplainerInfo("offline", null, "m"),
                Map.of(),
                Cost.NONE,
                new Label.Basis(1, 0, 0, 0, 0f, List.of(), List.of(), List.of(), List.of()),
                0,
                List.of(),
                List.of()));

        LabelReport report = LabelReport.of(labels, Map.of());

        assertThat(report.labels()).isEqualTo(104);
        assertThat(report.ok()).isEqualTo(103);
        assertThat(report.failed()).isEqualTo(1);
        assertThat(report.basis()).isNull();
        LabelReport.ScorerReport r = report.scorers().get("embedding");
        List<Double> values = made.stream()
                .map(m -> m.label().scores().get("embedding").value())
                .toList();
        List<Score> based = made.stream()
                .map(m -> m.label().scores().get("embedding"))
                .filter(s -> s.baseline() != null)
                .toList();
        List<Double> nulls = based.stream().map(s -> s.baseline().value()).toList();
        assertThat(r.scored()).isEqualTo(103);
        assertThat(r.score().mean()).isCloseTo(mean(values), within(1e-12));
        assertThat(r.score().ciHigh() - r.score().mean()).isCloseTo(halfWidth(values), within(1e-12));
        assertThat(r.withBaseline()).isEqualTo(based.size()).isEqualTo(77);
        assertThat(r.baseline().mean()).isCloseTo(mean(nulls), within(1e-12));
        long informative =
                based.stream().filter(s -> s.ciLow() > s.baseline().ciHigh()).count();
        assertThat(r.informative()).isEqualTo(informative);
        assertThat(r.informativeShare()).isEqualTo((double) informative / 77);
        long above = made.stream()
                .filter(m -> m.label().scores().get("embedding").ciLow() > 0.5)
                .count();
        assertThat(r.aboveChance()).isEqualTo((double) above / 103);
        assertThat(r.examples()).isEqualTo(10300);
        assertThat(r.parseFailures())
                .isEqualTo(3L * IntStream.range(0, 103).filter(i -> i % 7 == 0).count());

        // deciles: the labels sorted by density, cut into ten groups of 10 or 11
        List<Made> byDensity = new ArrayList<>(made);
        byDensity.sort(Comparator.comparingDouble(Made::density));
        assertThat(r.byDensity()).hasSize(10);
        int from = 0;
        for (LabelReport.Decile d : r.byDensity()) {
            List<Made> group = byDensity.subList(from, from + d.scored());
            assertThat(d.scored()).isBetween(10, 11);
            assertThat(d.densityLow()).isEqualTo(group.get(0).density());
            assertThat(d.densityHigh()).isEqualTo(group.get(group.size() - 1).density());
            assertThat(d.score().mean())
                    .isCloseTo(
                            mean(group.stream()
                                    .map(m ->
                                            m.label().scores().get("embedding").value())
                                    .toList()),
                            within(1e-12));
            from += d.scored();
        }
        assertThat(from).isEqualTo(103);
        assertThat(report.text())
                .contains("embedding (roc_auc): 103 labels scored")
                .contains("informative (interval above the null's): " + informative + " of 77");
    }

    @Test
    void withFeatureStatesTheBasisShareAndCurrentDensitiesAreUsed() {
        Random random = new Random(2);
        List<Label> labels =
                IntStream.range(0, 4).mapToObj(i -> made(i, random).label()).toList();
        // feature 0 still has both windows its label saw; 1 has one of two; 2 one of four; 3 has no state
        Map<String, FeatureState> states = new HashMap<>();
        states.put(labels.get(0).key(), state(0, 5, List.of("d#0", "e#0")));
        states.put(labels.get(1).key(), state(1, 6, List.of("d#1", "x#1")));
        states.put(labels.get(2).key(), state(2, 7, List.of("x#2", "y#2", "z#2", "e#2")));

        LabelReport report = LabelReport.of(labels, states);

        assertThat(report.basis().compared()).isEqualTo(3);
        assertThat(report.basis().meanShare()).isCloseTo((1 + 0.5 + 0.25) / 3, within(1e-12));
        assertThat(report.basis().belowHalf()).isEqualTo(1);
        // the current densities (5, 6, 7 in a 1000 tokens) sort above every label's own density (below 1%)
        List<LabelReport.Decile> deciles = report.scorers().get("embedding").byDensity();
        assertThat(deciles).hasSize(4);
        assertThat(deciles.get(3).densityLow()).isEqualTo(0.007);
        assertThat(deciles.get(0).densityLow()).isEqualTo(labels.get(3).basis().density());
    }

    @Test
    void theWellSampledFiguresCountOnlyFeaturesWithFiftyWindowsOrMore() {
        Random random = new Random(50);
        // the label's own basis.windows from 20 to 89; a state, where there is one, overrides it
        List<Label> labels = IntStream.range(0, 70)
                .mapToObj(i -> {
                    Label l = made(i, random).label();
                    Label.Basis b = l.basis();
                    Label.Basis basis = new Label.Basis(
                            b.version(),
                            b.density(),
                            b.activations(),
                            20 + i,
                            b.max(),
                            b.topIds(),
                            b.explainIds(),
                            b.scoreIds(),
                            b.negativeIds());
                    return new Label(
                            l.saeId(),
                            l.index(),
                            l.status(),
                            l.failure(),
                            l.explanation(),
                            l.explainer(),
                            l.scores(),
                            l.cost(),
                            basis,
                            l.createdMs(),
                            l.warnings(),
                            l.history());
                })
                .toList();
        Map<String, FeatureState> states = new HashMap<>();
        // feature 0 (20 windows when labelled) has 60 now; feature 65 (85 when labelled) has 49 of them in its state
        states.put(labels.get(0).key(), withWindows(state(0, 5, List.of("d#0")), 60));
        states.put(labels.get(65).key(), withWindows(state(65, 5, List.of("d#65")), 49));
        java.util.function.ToLongFunction<Label> windows = l -> states.containsKey(l.key())
                ? states.get(l.key()).windows()
                : l.basis().windows();

        LabelReport.ScorerReport r = LabelReport.of(labels, states).scorers().get("embedding");

        List<Score> well = labels.stream()
                .filter(l -> windows.applyAsLong(l) >= 50)
                .map(l -> l.scores().get("embedding"))
                .toList();
        List<Score> based = well.stream().filter(s -> s.baseline() != null).toList();
        LabelReport.Subset w = r.wellSampled();
        assertThat(w.minWindows()).isEqualTo(50);
        // 30..69 have basis windows 50..89, less 65, plus 0
        assertThat(w.scored()).isEqualTo(well.size()).isEqualTo(40);
        assertThat(w.score().mean())
                .isCloseTo(mean(well.stream().map(Score::value).toList()), within(1e-12));
        assertThat(w.score().ciHigh() - w.score().mean())
                .isCloseTo(halfWidth(well.stream().map(Score::value).toList()), within(1e-12));
        assertThat(w.aboveChance())
                .isEqualTo((double) well.stream().filter(s -> s.ciLow() > 0.5).count() / well.size());
        assertThat(w.withBaseline()).isEqualTo(based.size());
        assertThat(w.baseline().mean())
                .isCloseTo(mean(based.stream().map(s -> s.baseline().value()).toList()), within(1e-12));
        long informative =
                based.stream().filter(s -> s.ciLow() > s.baseline().ciHigh()).count();
        assertThat(w.informative()).isEqualTo(informative);
        assertThat(w.informativeShare()).isEqualTo((double) informative / based.size());
        assertThat(LabelReport.of(labels, states).text())
                .contains("features with at least 50 windows: 40 labels")
                .contains("informative (interval above the null's): " + informative + " of " + based.size() + " (");

        // none with 50 windows: the subset is empty, and says so
        LabelReport.Subset none = LabelReport.of(labels.subList(0, 30), Map.of())
                .scorers()
                .get("embedding")
                .wellSampled();
        assertThat(none.scored()).isZero();
        assertThat(none.score()).isNull();
        assertThat(none.informativeShare()).isNaN();
        assertThat(LabelReport.of(labels.subList(0, 30), Map.of()).text())
                .contains("features with at least 50 windows: 0 labels\n");
    }

    private static FeatureState withWindows(FeatureState s, long windows) {
        return new FeatureState(
                s.saeId(),
                s.index(),
                s.version(),
                s.tokensSeen(),
                s.activations(),
                s.documents(),
                windows,
                s.sum(),
                s.max(),
                s.histogram(),
                s.top(),
                s.reservoir(),
                s.updatedMs());
    }

    private static FeatureState state(int index, long activations, List<String> topIds) {
        List<FeatureWindow> top = topIds.stream()
                .map(id -> {
                    int hash = id.indexOf('#');
                    int peak = Integer.parseInt(id.substring(hash + 1));
                    return new FeatureWindow(id.substring(0, hash), peak, peak, new String[] {"a"}, new float[] {1f});
                })
                .toList();
        return new FeatureState(
                "sae", index, 1, 1000, activations, 1, topIds.size(), activations, 1f, null, top, List.of(), 0);
    }
}
