package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Chooses the windows a feature is explained from and the disjoint windows it is scored on.
 *
 * <p>Every window is on one side for good: the side is a hash of its document id and the block of
 * {@link LabelConfig.Sampling#splitBlockTokens} tokens its peak falls in, so no window (and no stretch of
 * text near it) that an explanation was drawn from can come back to score that explanation, in
 * this label or a later one. Windows that still overlap a chosen explanation window (at a block
 * edge) are left out of scoring.
 *
 * <p>Explain: the top windows on the explanation side, plus a quantile-stratified sample of the
 * reservoir's (larger by as many top windows as the split withheld). Score: a quantile-stratified sample of the reservoir's scoring-side windows (the
 * reservoir is uniform, so its quantiles are the feature's), random background windows where the
 * feature is zero and, given similar features, hard negatives where one of them fires instead.
 */
public final class ExampleSampler {
    private final LabelConfig.Sampling config;

    public ExampleSampler(LabelConfig config) {
        this.config = config.sampling();
    }

    /** The examples of one label. */
    public record Samples(List<FeatureWindow> explain, List<Example> activating, List<Example> negatives) {
        public Samples {
            explain = List.copyOf(explain);
            activating = List.copyOf(activating);
            negatives = List.copyOf(negatives);
        }

        /** Activating then non-activating scoring examples. */
        public List<Example> scoring() {
            List<Example> all = new ArrayList<>(activating);
            all.addAll(negatives);
            return all;
        }
    }

    /** True when the window peaking at {@code position} of {@code doc} may be shown to the explainer. */
    public static boolean explainSide(String doc, int position, int blockTokens) {
        return (Hashing.murmur2(doc + "#" + Math.floorDiv(position, blockTokens)) & 1) == 0;
    }

    public Samples sample(FeatureState state, BackgroundIndex background, int[] similar) {
        long seed = Hashing.seed(state.key(), state.version());
        int block = config.splitBlockTokens();

        List<FeatureWindow> explain = new ArrayList<>();
        Set<String> chosen = new HashSet<>();
        for (FeatureWindow w : state.top()) {
            if (explain.size() < config.explainTop() && explainSide(w.doc(), w.peak(), block) && chosen.add(w.id())) {
                explain.add(w);
            }
        }
        List<FeatureWindow> explainPool = new ArrayList<>();
        List<FeatureWindow> scorePool = new ArrayList<>();
        for (FeatureWindow w : distinct(state.reservoir())) {
            if (explainSide(w.doc(), w.peak(), block)) {
                if (!chosen.contains(w.id())) {
                    explainPool.add(w);
                }
            } else {
                scorePool.add(w);
            }
        }
        // top windows the split keeps from the explainer are made up from the reservoir
        int sampled = config.explainSampled() + config.explainTop() - explain.size();
        for (Stratum s : stratified(explainPool, sampled, config.quantiles(), new Random(seed))) {
            explain.add(s.window());
        }
        if (explain.isEmpty()) {
            // every window hashed to the scoring side (a feature seen in a few stretches of text): explain
            // from its top windows anyway, rather than fail it; the scoring windows overlapping them go below
            for (FeatureWindow w : state.top()) {
                if (explain.size() < config.explainTop() && chosen.add(w.id())) {
                    explain.add(w);
                }
            }
            scorePool.removeIf(w -> chosen.contains(w.id()));
        }

        Map<String, List<int[]>> taken = spans(explain);
        scorePool.removeIf(w -> overlaps(taken, w.doc(), w.first(), w.first() + w.tokens().length));
        List<Example> activating = new ArrayList<>();
        for (Stratum s : stratified(scorePool, config.scoreActivating(), config.quantiles(), new Random(~seed))) {
            FeatureWindow w = s.window();
            activating.add(new Example(
                    w.id(), w.doc(), w.first(), w.tokens(), w.acts(), Example.Kind.ACTIVATING, s.quantile()));
        }

        List<Example> negatives = new ArrayList<>();
        int feature = state.index();
        for (BackgroundWindow w : background.sample(
                state.saeId(),
                w -> !w.fires(feature) && !overlaps(taken, w.doc(), w.first(), w.first() + w.tokens().length),
                config.scoreNonActivating(),
                seed)) {
            negatives.add(negative(w, feature, Example.Kind.RANDOM));
        }
        if (config.hardNegatives() > 0 && similar != null && similar.length > 0) {
            Set<String> random = new HashSet<>();
            negatives.forEach(e -> random.add(e.id()));
            for (BackgroundWindow w : background.sample(
                    state.saeId(),
                    w -> !random.contains(w.id())
                            && !w.fires(feature)
                            && firesAny(w, similar)
                            && !overlaps(taken, w.doc(), w.first(), w.first() + w.tokens().length),
                    config.hardNegatives(),
                    ~seed)) {
                negatives.add(negative(w, feature, Example.Kind.HARD_NEGATIVE));
            }
        }
        return new Samples(explain, activating, negatives);
    }

    /** A chosen window and the quantile group (0 lowest) of its peak within the pool it came from. */
    record Stratum(FeatureWindow window, int quantile) {}

    /**
     * Up to {@code count} windows spread evenly over {@code quantiles} groups of equal size by peak
     * activation (the empirical quantiles of the pool). Groups that run short pass their share on,
     * upper groups first. Within a group the choice is a seeded shuffle.
     */
    static List<Stratum> stratified(List<FeatureWindow> pool, int count, int quantiles, Random random) {
        if (pool.isEmpty() || count <= 0) {
            return List.of();
        }
        List<FeatureWindow> sorted = new ArrayList<>(pool);
        sorted.sort(Comparator.comparingDouble(FeatureWindow::max).thenComparing(FeatureWindow::id));
        int groups = Math.min(quantiles, sorted.size());
        List<List<FeatureWindow>> strata = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            strata.add(new ArrayList<>(sorted.subList(g * sorted.size() / groups, (g + 1) * sorted.size() / groups)));
        }
        int[] quota = new int[groups];
        int left = Math.min(count, sorted.size());
        while (left > 0) {
            for (int g = groups - 1; g >= 0 && left > 0; g--) {
                if (quota[g] < strata.get(g).size()) {
                    quota[g]++;
                    left--;
                }
            }
        }
        List<Stratum> out = new ArrayList<>();
        for (int g = groups - 1; g >= 0; g--) {
            List<FeatureWindow> stratum = strata.get(g);
            Collections.shuffle(stratum, random);
            for (int i = 0; i < quota[g]; i++) {
                out.add(new Stratum(stratum.get(i), g));
            }
        }
        return out;
    }

    private static List<FeatureWindow> distinct(List<FeatureWindow> windows) {
        Map<String, FeatureWindow> byId = new LinkedHashMap<>();
        for (FeatureWindow w : windows) {
            byId.putIfAbsent(w.id(), w);
        }
        return new ArrayList<>(byId.values());
    }

    private static Map<String, List<int[]>> spans(List<FeatureWindow> windows) {
        Map<String, List<int[]>> byDoc = new HashMap<>();
        for (FeatureWindow w : windows) {
            byDoc.computeIfAbsent(w.doc(), d -> new ArrayList<>())
                    .add(new int[] {w.first(), w.first() + w.tokens().length});
        }
        return byDoc;
    }

    private static boolean overlaps(Map<String, List<int[]>> spans, String doc, int first, int end) {
        for (int[] s : spans.getOrDefault(doc, List.of())) {
            if (first < s[1] && s[0] < end) {
                return true;
            }
        }
        return false;
    }

    private static boolean firesAny(BackgroundWindow w, int[] features) {
        for (int f : features) {
            if (w.fires(f)) {
                return true;
            }
        }
        return false;
    }

    private static Example negative(BackgroundWindow w, int feature, Example.Kind kind) {
        return new Example(w.id(), w.doc(), w.first(), w.tokens(), w.activationsOf(feature), kind, -1);
    }
}
