package dev.saestream.encode;

/**
 * How well the SAE reconstructed one document's activations, summed over its tokens so that
 * documents add up: FVU-style ratios and mean cosine come from these sums.
 *
 * @param tokens       tokens encoded
 * @param squaredError Σ‖x − x̂‖²
 * @param squaredNorm  Σ‖x‖²
 * @param cosineSum    Σ cos(x, x̂)
 * @param clamped      activation values beyond the half-float range, stored as ±65504
 */
public record ReconstructionStats(int tokens, double squaredError, double squaredNorm, double cosineSum, int clamped) {
    public static final ReconstructionStats NONE = new ReconstructionStats(0, 0, 0, 0, 0);

    public ReconstructionStats {
        if (tokens < 0 || clamped < 0) {
            throw new IllegalArgumentException("tokens and clamped must be >= 0, got " + tokens + ", " + clamped);
        }
    }

    /** Σ‖x − x̂‖² / Σ‖x‖²: the relative squared error (0 is perfect). */
    public double relativeError() {
        return squaredNorm == 0 ? 0 : squaredError / squaredNorm;
    }

    public double meanCosine() {
        return tokens == 0 ? 0 : cosineSum / tokens;
    }
}
