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
 */
public record Score(String metric, double value, int n, double ciLow, double ciHigh, String interval,
                    int parseFailures, double parseFailureRate, String model, Map<String, Double> details,
                    List<String> failures) {
    public static final int MAX_FAILURE_REASONS = 5;

    public Score {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("score metric must be given");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("score n must be positive, got " + n);
        }
        if (!Double.isFinite(value) || !Double.isFinite(ciLow) || !Double.isFinite(ciHigh) || ciLow > ciHigh) {
            throw new IllegalArgumentException("score " + metric + " needs a finite value and interval, got "
                    + value + " [" + ciLow + ", " + ciHigh + "]");
        }
        if (parseFailures < 0 || parseFailures > n) {
            throw new IllegalArgumentException("score parseFailures must be in [0, n], got " + parseFailures);
        }
        details = Ordered.copy(details);
        failures = failures == null ? List.of() : List.copyOf(failures);
    }
}
