package dev.saestream.sae;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a set of best-match cosines is spread: mean, quantiles (the value at rank ⌊q·n⌋ of the
 * sorted values) and the shares at or above 0.5, 0.7 and 0.9.
 */
public record CosineDistribution(
        int n,
        double mean,
        double min,
        double p10,
        double q1,
        double median,
        double q3,
        double p90,
        double max,
        double atLeast05,
        double atLeast07,
        double atLeast09) {

    public static CosineDistribution of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a distribution needs at least one cosine, got none");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return new CosineDistribution(
                s.length,
                Arrays.stream(s).average().orElse(0),
                s[0],
                quantile(s, 0.1),
                quantile(s, 0.25),
                quantile(s, 0.5),
                quantile(s, 0.75),
                quantile(s, 0.9),
                s[s.length - 1],
                share(s, 0.5),
                share(s, 0.7),
                share(s, 0.9));
    }

    /** One line, as {@code compare} prints it. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "mean %.3f, min %.3f, p10 %.3f, q1 %.3f, median %.3f, q3 %.3f, p90 %.3f, max %.3f;"
                        + " ≥ 0.9: %.1f%%, ≥ 0.7: %.1f%%, ≥ 0.5: %.1f%%",
                mean,
                min,
                p10,
                q1,
                median,
                q3,
                p90,
                max,
                100 * atLeast09,
                100 * atLeast07,
                100 * atLeast05);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static double share(double[] sorted, double threshold) {
        return (double) Arrays.stream(sorted).filter(v -> v >= threshold).count() / sorted.length;
    }
}
