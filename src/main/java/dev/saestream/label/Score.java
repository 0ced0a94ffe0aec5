package dev.saestream.label;

import java.util.List;
import java.util.Map;

/**
 * How well an explanation predicts where its feature fires, by one scorer.
 *
 * @param metric           what {@code value} is: balanced_accuracy, pearson_r or roc_auc
 * @param value            the score
 * @param n                examples scored (unparseable answers included, counted as wrong)
 * @param ciLow            lower end of the 95% confidence interval
 * @param ciHigh           upper end of the 95% confidence interval
 * @param interval         how the interval was computed
 * @param parseFailures    examples whose answer could not be read (counted as wrong, never dropped)
 * @param parseFailureRate {@code parseFailures / n}
 * @param model            the model that scored: the LLM, or the embedding model
 * @param details          secondary figures (precision, recall, F1 and its interval, token counts…)
 * @param failures         why answers could not be read, a few distinct reasons at most
 * @param baseline         the same scorer's score of a null explanation (another feature's, drawn at
 *                         random) on the same examples; null when there was no other explanation to draw
 * @param informative      whether this score clears its null: {@code ciLow} above the baseline's
 *                         {@code ciHigh} (two 95% intervals that do not overlap, a conservative test);
 *                         null when there is no baseline
 */
public record Score(
        String metric,
        double value,
        int n,
        double ciLow,
        double ciHigh,
        String interval,
        int parseFailures,
        double parseFailureRate,
        String model,
        Map<String, Double> details,
        List<String> failures,
        Baseline baseline,
        Boolean informative) {
    public static final int MAX_FAILURE_REASONS = 5;

    /** A score without a baseline yet. */
    public Score(
            String metric,
            double value,
            int n,
            double ciLow,
            double ciHigh,
            String interval,
            int parseFailures,
            double parseFailureRate,
            String model,
            Map<String, Double> details,
            List<String> failures) {
        this(
                metric,
                value,
                n,
                ciLow,
                ciHigh,
                interval,
                parseFailures,
                parseFailureRate,
                model,
                details,
                failures,
                null,
                null);
    }

    public Score {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("score metric must be given");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("score n must be positive, got " + n);
        }
        if (!Double.isFinite(value) || !Double.isFinite(ciLow) || !Double.isFinite(ciHigh) || ciLow > ciHigh) {
            throw new IllegalArgumentException("score " + metric + " needs a finite value and interval, got " + value
                    + " [" + ciLow + ", " + ciHigh + "]");
        }
        if (parseFailures < 0 || parseFailures > n) {
            throw new IllegalArgumentException("score parseFailures must be in [0, n], got " + parseFailures);
        }
        details = Ordered.copy(details);
        failures = failures == null ? List.of() : List.copyOf(failures);
        // derived, never taken on trust from a record read back
        informative = baseline == null ? null : ciLow > baseline.ciHigh();
    }

    /** This score beside the null {@code baseline} scored on the same examples. */
    public Score withBaseline(Baseline baseline) {
        return new Score(
                metric,
                value,
                n,
                ciLow,
                ciHigh,
                interval,
                parseFailures,
                parseFailureRate,
                model,
                details,
                failures,
                baseline,
                null);
    }

    /**
     * A null explanation's score on the same examples by the same scorer.
     *
     * @param value       its score
     * @param ciLow       lower end of its 95% interval
     * @param ciHigh      upper end of its 95% interval
     * @param n           examples scored
     * @param explanation the null explanation: another feature's, drawn at random (seeded by feature and version)
     */
    public record Baseline(double value, double ciLow, double ciHigh, int n, String explanation) {
        public Baseline {
            if (!Double.isFinite(value) || !Double.isFinite(ciLow) || !Double.isFinite(ciHigh) || ciLow > ciHigh) {
                throw new IllegalArgumentException("baseline needs a finite value and interval, got " + value + " ["
                        + ciLow + ", " + ciHigh + "]");
            }
            if (n <= 0) {
                throw new IllegalArgumentException("baseline n must be positive, got " + n);
            }
            if (explanation == null || explanation.isBlank()) {
                throw new IllegalArgumentException("baseline explanation must be given");
            }
        }

        public static Baseline of(Score s, String explanation) {
            return new Baseline(s.value(), s.ciLow(), s.ciHigh(), s.n(), explanation);
        }
    }
}
