package dev.saestream.catalog;

/**
 * Counts of activation values in fixed log-spaced bins, so histograms from different partitions
 * and times add exactly. {@code counts[0]} holds values below {@link #LOW}; bin {@code i >= 1}
 * covers {@code [LOW·10^((i-1)/BINS_PER_DECADE), LOW·10^(i/BINS_PER_DECADE))}; the last bin
 * holds everything at or above the top edge.
 */
public record ActivationHistogram(long[] counts) {
    public static final double LOW = 1e-3;
    public static final int BINS_PER_DECADE = 8;
    public static final int DECADES = 7;
    public static final int SIZE = BINS_PER_DECADE * DECADES + 2;

    public ActivationHistogram {
        if (counts == null || counts.length != SIZE) {
            throw new IllegalArgumentException(
                    "histogram needs " + SIZE + " counts, got " + (counts == null ? "null" : counts.length));
        }
    }

    public static ActivationHistogram empty() {
        return new ActivationHistogram(new long[SIZE]);
    }

    /** The bin a (positive) activation value falls in. */
    public static int bin(double value) {
        if (!(value >= LOW)) {
            return 0;
        }
        int b = 1 + (int) Math.floor(Math.log10(value / LOW) * BINS_PER_DECADE);
        return Math.min(b, SIZE - 1);
    }

    /** Lower edge of bin {@code i} (0 for the underflow bin). */
    public static double lowerEdge(int i) {
        return i == 0 ? 0 : LOW * Math.pow(10, (i - 1) / (double) BINS_PER_DECADE);
    }

    /**
     * Upper edge of bin {@code i}; the last bin is open-ended, and is given the width of the
     * others so that it can be drawn.
     */
    public static double upperEdge(int i) {
        return LOW * Math.pow(10, i / (double) BINS_PER_DECADE);
    }

    /**
     * The value that stands for bin {@code i} in a plot or an export that wants one value per bin
     * (Neuronpedia's {@code freq_hist_data_bar_values}): the geometric centre of a log-spaced bin,
     * half of {@link #LOW} for the underflow bin.
     */
    public static double centre(int i) {
        return i == 0 ? LOW / 2 : Math.sqrt(lowerEdge(i) * upperEdge(i));
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationHistogram h && java.util.Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(counts);
    }
}
