package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How good a catalogue's labels are, in one record: per scorer the mean score and its 95% interval,
 * the same for the null baselines scored beside them, the share of labels whose score clears its
 * null ({@link Score#informative}), all of it again by density decile and for the features with at
 * least {@link #WELL_SAMPLED_WINDOWS} windows, and the parse-failure rate; with feature states, how
 * much of each label's basis is still its feature's. A pure function of
 * its input, so that {@code saestream label report} and the web API give the same figures.
 *
 * @param labels      labels summarised (the latest of each feature)
 * @param ok          of those, with an explanation
 * @param failed      of those, failed
 * @param scorers     per scorer, in name order
 * @param basis       how current the labels are; null without feature states
 */
public record LabelReport(int labels, int ok, int failed, Map<String, ScorerReport> scorers, BasisReport basis) {
    /** Density deciles of the labels a scorer scored. */
    public static final int DECILES = 10;

    /** The windows a feature needs to count among the well-sampled ones ({@link ScorerReport#wellSampled}). */
    public static final int WELL_SAMPLED_WINDOWS = 50;

    /**
     * One scorer over every label it scored.
     *
     * @param metric            roc_auc, balanced_accuracy or pearson_r
     * @param scored            labels with this score
     * @param score             mean score over them, with its interval (mean ± 1.96·s/√n)
     * @param aboveChance       share of them whose interval's low end is above chance (0.5 for AUC and balanced
     *                          accuracy, 0 for a correlation)
     * @param withBaseline      of them, with a null baseline
     * @param baseline          mean null score over those, with its interval; null when none has one
     * @param meanGap           mean of (score − null) over those with a baseline; NaN when none has one
     * @param informative       how many of those clear their null
     * @param informativeShare  {@code informative / withBaseline}; NaN when none has a baseline
     * @param examples          examples scored over all labels
     * @param parseFailures     examples whose answer could not be read
     * @param parseFailureRate  {@code parseFailures / examples}
     * @param byDensity         the same by density decile (lowest density first)
     * @param wellSampled       the same over the labels whose feature has at least {@link #WELL_SAMPLED_WINDOWS}
     *                          activating windows (its current state's count; without a state, the label's
     *                          {@code basis.windows})
     */
    public record ScorerReport(
            String metric,
            int scored,
            Mean score,
            double aboveChance,
            int withBaseline,
            Mean baseline,
            double meanGap,
            int informative,
            double informativeShare,
            long examples,
            long parseFailures,
            double parseFailureRate,
            List<Decile> byDensity,
            Subset wellSampled) {}

    /**
     * One scorer over the labels of the features with at least {@code minWindows} windows.
     *
     * @param minWindows       the windows a feature needs to be counted here
     * @param scored           labels with this score among them
     * @param score            their mean score; null when there are none
     * @param aboveChance      share of them whose interval's low end is above chance; NaN when there are none
     * @param withBaseline     of them, with a null baseline
     * @param baseline         their mean null score; null when none has one
     * @param informative      how many of those clear their null
     * @param informativeShare {@code informative / withBaseline}; NaN when none has a baseline
     */
    public record Subset(
            int minWindows,
            int scored,
            Mean score,
            double aboveChance,
            int withBaseline,
            Mean baseline,
            int informative,
            double informativeShare) {}

    /**
     * One density decile of one scorer's labels.
     *
     * @param decile           1 (rarest features) to 10 (commonest)
     * @param densityLow       the lowest density in it
     * @param densityHigh      the highest density in it
     * @param scored           labels in it
     * @param score            their mean score
     * @param baseline         their mean null score; null when none has one
     * @param informativeShare the share of those with a baseline that clear it; NaN when none has one
     */
    public record Decile(
            int decile,
            double densityLow,
            double densityHigh,
            int scored,
            Mean score,
            Mean baseline,
            double informativeShare) {}

    /** A mean with its 95% interval over {@code n} values. */
    public record Mean(double mean, double ciLow, double ciHigh, int n) {
        static Mean of(double[] values) {
            if (values.length == 0) {
                return null;
            }
            Stats.Interval ci = Stats.meanInterval(values);
            return new Mean(Stats.mean(values), ci.low(), ci.high(), values.length);
        }
    }

    /**
     * How much of the labels' basis is still their features': {@link RelabelPolicy#basisShare} of
     * every ok label whose feature state was given.
     *
     * @param compared       labels with a feature state
     * @param meanShare      mean share of the current top windows the label saw
     * @param belowHalf      of them, labels based on less than half of their feature's current top windows
     */
    public record BasisReport(int compared, double meanShare, int belowHalf) {}

    /**
     * The report over {@code labels} (one per feature; pass only one SAE's for a per-SAE report);
     * {@code states} (by feature key, may be empty) gives current densities for the deciles and the
     * basis shares; without a state a label's own {@code basis.density} is used.
     */
    public static LabelReport of(Collection<Label> labels, Map<String, FeatureState> states) {
        int ok = 0;
        Map<String, List<Row>> rows = new TreeMap<>();
        int compared = 0;
        double shareSum = 0;
        int belowHalf = 0;
        for (Label l : labels) {
            if (l.status() != Label.Status.OK) {
                continue;
            }
            ok++;
            FeatureState state = states.get(l.key());
            if (state != null) {
                double share = RelabelPolicy.basisShare(l, state);
                compared++;
                shareSum += share;
                belowHalf += share < 0.5 ? 1 : 0;
            }
            double density = state != null ? state.density() : l.basis().density();
            long windows = state != null ? state.windows() : l.basis().windows();
            l.scores()
                    .forEach((name, s) -> rows.computeIfAbsent(name, k -> new ArrayList<>())
                            .add(new Row(l.key(), density, windows, s)));
        }
        Map<String, ScorerReport> scorers = new TreeMap<>();
        rows.forEach((name, r) -> scorers.put(name, scorer(r)));
        BasisReport basis = states.isEmpty()
                ? null
                : new BasisReport(compared, compared == 0 ? Double.NaN : shareSum / compared, belowHalf);
        return new LabelReport(labels.size(), ok, labels.size() - ok, scorers, basis);
    }

    private record Row(String key, double density, long windows, Score score) {}

    private static ScorerReport scorer(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingDouble(Row::density).thenComparing(Row::key));
        String metric = sorted.get(0).score().metric();
        double chance = "pearson_r".equals(metric) ? 0 : 0.5;
        long examples = 0;
        long failures = 0;
        for (Row r : sorted) {
            examples += r.score().n();
            failures += r.score().parseFailures();
        }
        int above = aboveChance(sorted, chance);
        Figures all = Figures.of(sorted);
        List<Decile> deciles = new ArrayList<>();
        int groups = Math.min(DECILES, sorted.size());
        for (int g = 0; g < groups; g++) {
            List<Row> part = sorted.subList(g * sorted.size() / groups, (g + 1) * sorted.size() / groups);
            Figures f = Figures.of(part);
            deciles.add(new Decile(
                    g + 1,
                    part.get(0).density(),
                    part.get(part.size() - 1).density(),
                    part.size(),
                    f.score(),
                    f.baseline(),
                    f.informativeShare()));
        }
        return new ScorerReport(
                metric,
                sorted.size(),
                all.score(),
                (double) above / sorted.size(),
                all.withBaseline(),
                all.baseline(),
                all.meanGap(),
                all.informative(),
                all.informativeShare(),
                examples,
                failures,
                examples == 0 ? 0 : (double) failures / examples,
                deciles,
                subset(sorted, chance, WELL_SAMPLED_WINDOWS));
    }

    private static int aboveChance(List<Row> rows, double chance) {
        return (int) rows.stream().filter(r -> r.score().ciLow() > chance).count();
    }

    private static Subset subset(List<Row> rows, double chance, int minWindows) {
        List<Row> part = rows.stream().filter(r -> r.windows() >= minWindows).toList();
        Figures f = Figures.of(part);
        return new Subset(
                minWindows,
                part.size(),
                f.score(),
                part.isEmpty() ? Double.NaN : (double) aboveChance(part, chance) / part.size(),
                f.withBaseline(),
                f.baseline(),
                f.informative(),
                f.informativeShare());
    }

    /** Means over a group of rows. */
    private record Figures(Mean score, Mean baseline, int withBaseline, int informative, double meanGap) {
        static Figures of(List<Row> rows) {
            double[] values = rows.stream().mapToDouble(r -> r.score().value()).toArray();
            List<Score> based = rows.stream()
                    .map(Row::score)
                    .filter(s -> s.baseline() != null)
                    .toList();
            double[] nulls =
                    based.stream().mapToDouble(s -> s.baseline().value()).toArray();
            int informative = (int) based.stream()
                    .filter(s -> Boolean.TRUE.equals(s.informative()))
                    .count();
            double gap = based.isEmpty()
                    ? Double.NaN
                    : based.stream()
                            .mapToDouble(s -> s.value() - s.baseline().value())
                            .average()
                            .orElseThrow();
            return new Figures(Mean.of(values), Mean.of(nulls), based.size(), informative, gap);
        }

        double informativeShare() {
            return withBaseline == 0 ? Double.NaN : (double) informative / withBaseline;
        }
    }

    /** The report as the command prints it. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "labels: %,d (%,d ok, %,d failed)%n", labels, ok, failed));
        if (basis != null && basis.compared() > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "basis: labels based on %.0f%% of their feature's current top windows"
                            + " on average; %,d of %,d (%.0f%%) on less than half%n",
                    100 * basis.meanShare(),
                    basis.belowHalf(),
                    basis.compared(),
                    100.0 * basis.belowHalf() / basis.compared()));
        }
        scorers.forEach((name, r) -> {
            sb.append(String.format(
                    Locale.ROOT,
                    "%n%s (%s): %,d labels scored, parse failures %,d of %,d examples (%.1f%%)%n",
                    name,
                    r.metric(),
                    r.scored(),
                    r.parseFailures(),
                    r.examples(),
                    100 * r.parseFailureRate()));
            sb.append(String.format(
                    Locale.ROOT,
                    "  score  %s; interval above chance for %.0f%%%n",
                    mean(r.score()),
                    100 * r.aboveChance()));
            if (r.withBaseline() == 0) {
                sb.append("  null   none (no label has a null baseline)\n");
            } else {
                sb.append(String.format(
                        Locale.ROOT, "  null   %s; score − null %+.3f on average%n", mean(r.baseline()), r.meanGap()));
                sb.append(String.format(
                        Locale.ROOT,
                        "  informative (interval above the null's): %,d of %,d (%.0f%%)%n",
                        r.informative(),
                        r.withBaseline(),
                        100 * r.informativeShare()));
            }
            Subset w = r.wellSampled();
            if (w != null) {
                sb.append(String.format(
                        Locale.ROOT, "  features with at least %d windows: %,d labels", w.minWindows(), w.scored()));
                if (w.scored() > 0) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "%n    score  %s; interval above chance for %.0f%%%n",
                            mean(w.score()),
                            100 * w.aboveChance()));
                    if (w.withBaseline() > 0) {
                        sb.append(String.format(Locale.ROOT, "    null   %s%n", mean(w.baseline())));
                        sb.append(String.format(
                                Locale.ROOT,
                                "    informative (interval above the null's): %,d of %,d (%.0f%%)%n",
                                w.informative(),
                                w.withBaseline(),
                                100 * w.informativeShare()));
                    }
                } else {
                    sb.append('\n');
                }
            }
            sb.append("  by density decile:\n");
            sb.append(String.format(
                    Locale.ROOT,
                    "  %6s  %-21s  %6s  %-7s  %-7s  %s%n",
                    "decile",
                    "density",
                    "labels",
                    "score",
                    "null",
                    "informative"));
            for (Decile d : r.byDensity()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %6d  %-21s  %6d  %-7s  %-7s  %s%n",
                        d.decile(),
                        String.format(Locale.ROOT, "%.2e–%.2e", d.densityLow(), d.densityHigh()),
                        d.scored(),
                        String.format(Locale.ROOT, "%.3f", d.score().mean()),
                        d.baseline() == null
                                ? "-"
                                : String.format(
                                        Locale.ROOT, "%.3f", d.baseline().mean()),
                        Double.isNaN(d.informativeShare())
                                ? "-"
                                : String.format(Locale.ROOT, "%.0f%%", 100 * d.informativeShare())));
            }
        });
        return sb.toString();
    }

    private static String mean(Mean m) {
        return String.format(Locale.ROOT, "mean %.3f [%.3f, %.3f] over %,d", m.mean(), m.ciLow(), m.ciHigh(), m.n());
    }
}
