package dev.saestream.label;

/**
 * The statistics behind every score, each with a 95% confidence interval chosen for it. The
 * arithmetic is held to a pure-Python reference ({@code src/test/python/label_stats_reference.py}).
 */
public final class Stats {
    /** The standard normal quantile for a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    private Stats() {}

    /** A confidence interval, clipped to the statistic's range. */
    public record Interval(double low, double high) {
        public Interval {
            if (!(low <= high)) {
                throw new IllegalArgumentException("interval low " + low + " is above high " + high);
            }
        }
    }

    /** Counts of a binary classification: true/false positives and negatives. */
    public record Confusion(long tp, long fp, long tn, long fn) {
        public Confusion {
            if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
                throw new IllegalArgumentException("confusion counts must not be negative");
            }
        }

        public long n() {
            return tp + fp + tn + fn;
        }

        public long positives() {
            return tp + fn;
        }

        public long negatives() {
            return tn + fp;
        }

        /** (TPR + TNR) / 2: accuracy that a majority class cannot inflate. */
        public double balancedAccuracy() {
            return (rate(tp, positives()) + rate(tn, negatives())) / 2;
        }

        /**
         * An adjusted Wald interval for (TPR + TNR) / 2, the two rates being independent binomials:
         * each rate is estimated as (x + 1) / (n + 2) for the centre and the variance (Agresti and
         * Caffo's adjustment), so the interval keeps a width when a rate is 0 or 1.
         */
        public Interval balancedAccuracyInterval() {
            double p1 = (tp + 1.0) / (positives() + 2.0);
            double p2 = (tn + 1.0) / (negatives() + 2.0);
            double centre = (p1 + p2) / 2;
            double se = Math.sqrt(p1 * (1 - p1) / (positives() + 2.0) + p2 * (1 - p2) / (negatives() + 2.0)) / 2;
            return clipped(centre - Z95 * se, centre + Z95 * se, 0, 1);
        }

        public double precision() {
            return rate(tp, tp + fp);
        }

        public double recall() {
            return rate(tp, positives());
        }

        /** 2TP / (2TP + FP + FN); 0 when there is nothing to find and nothing found. */
        public double f1() {
            long d = 2 * tp + fp + fn;
            return d == 0 ? 0 : 2.0 * tp / d;
        }

        /**
         * A delta-method interval for F1 with the counts multinomial: Var(F1) = 4·TP·(FP+FN)·(TP+FP+FN)
         * / (2TP+FP+FN)^4, with half a count added to each cell for the variance only, so a perfect
         * or empty classifier still gets a width.
         */
        public Interval f1Interval() {
            double a = tp + 0.5;
            double bc = fp + fn + 1.0;
            double d = 2 * a + bc;
            double se = Math.sqrt(4 * a * bc * (a + bc) / (d * d * d * d));
            double f = f1();
            return clipped(f - Z95 * se, f + Z95 * se, 0, 1);
        }

        private static double rate(long x, long n) {
            return n == 0 ? 0 : (double) x / n;
        }
    }

    /** Wilson's score interval for a proportion {@code x / n}; [0, 1] when n is 0. */
    public static Interval wilson(long x, long n) {
        if (x < 0 || x > n) {
            throw new IllegalArgumentException("successes " + x + " must be in [0, " + n + "]");
        }
        if (n == 0) {
            return new Interval(0, 1);
        }
        double p = (double) x / n;
        double z2 = Z95 * Z95;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = Z95 / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return clipped(centre - half, centre + half, 0, 1);
    }

    /**
     * The area under the ROC curve: the probability that a positive scores above a negative, ties
     * counting a half (the Mann–Whitney statistic over n1·n0).
     */
    public static double auc(double[] positives, double[] negatives) {
        requireBoth(positives, negatives);
        double sum = 0;
        for (double p : positives) {
            for (double q : negatives) {
                sum += kernel(p, q);
            }
        }
        return sum / ((double) positives.length * negatives.length);
    }

    /**
     * DeLong's interval for the AUC: with V10(i) the mean kernel of positive i against every
     * negative and V01(j) that of negative j against every positive, Var = s²(V10)/n1 + s²(V01)/n0
     * (sample variances). At perfect separation the variance, and so the width, is zero.
     */
    public static Interval aucInterval(double[] positives, double[] negatives) {
        requireBoth(positives, negatives);
        int n1 = positives.length;
        int n0 = negatives.length;
        double[] v10 = new double[n1];
        double[] v01 = new double[n0];
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n0; j++) {
                double k = kernel(positives[i], negatives[j]);
                v10[i] += k / n0;
                v01[j] += k / n1;
            }
        }
        double a = mean(v10);
        double var = (n1 > 1 ? sampleVariance(v10) / n1 : 0) + (n0 > 1 ? sampleVariance(v01) / n0 : 0);
        double se = Math.sqrt(var);
        return clipped(a - Z95 * se, a + Z95 * se, 0, 1);
    }

    /** Pearson's r of two equally long series; 0 when either is constant (it predicts nothing). */
    public static double pearson(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException(
                    "pearson needs two series of equal length >= 2, got " + x.length + " and " + y.length);
        }
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return 0;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }

    /** Fisher's z interval for a correlation r from n independent pairs: tanh(atanh(r) ± z/√(n−3)). */
    public static Interval fisherInterval(double r, long n) {
        if (n <= 3) {
            return new Interval(-1, 1);
        }
        double z = 0.5 * Math.log((1 + r) / (1 - r));
        double se = 1 / Math.sqrt(n - 3.0);
        return clipped(Math.tanh(z - Z95 * se), Math.tanh(z + Z95 * se), -1, 1);
    }

    /**
     * The normal interval of a mean over n values: mean ± z·s/√n (s the sample standard deviation);
     * zero width for one value. For the report's means over hundreds of labels.
     */
    public static Interval meanInterval(double[] v) {
        if (v.length == 0) {
            throw new IllegalArgumentException("a mean needs at least one value");
        }
        double m = mean(v);
        double half = v.length > 1 ? Z95 * Math.sqrt(sampleVariance(v) / v.length) : 0;
        return new Interval(m - half, m + half);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double sampleVariance(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / (v.length - 1);
    }

    private static double kernel(double p, double q) {
        return p > q ? 1 : p == q ? 0.5 : 0;
    }

    private static void requireBoth(double[] positives, double[] negatives) {
        if (positives.length == 0 || negatives.length == 0) {
            throw new IllegalArgumentException(
                    "an AUC needs positives and negatives, got " + positives.length + " and " + negatives.length);
        }
    }

    private static Interval clipped(double low, double high, double min, double max) {
        double lo = Math.max(min, Math.min(max, low));
        double hi = Math.max(min, Math.min(max, high));
        return new Interval(lo, hi);
    }
}
