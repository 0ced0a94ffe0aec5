package dev.saestream.sae;

/**
 * How to train an SAE (config section {@code train}).
 *
 * @param architecture    topk (unit-norm decoder, AuxK) or standard (ReLU + L1, unit-norm decoder); read from
 *                        its cfg.json name in config files, the environment and flags
 * @param width           number of features, d_sae
 * @param k               active features per token (topk)
 * @param l1Coefficient   L1 penalty weight on the activations (standard)
 * @param learningRate    Adam's step size; 0 picks EleutherAI sparsify's 2e-4 / √(width / 2¹⁴)
 * @param batchSize       tokens per step
 * @param tokens          training tokens in total (the data is reshuffled and revisited as needed)
 * @param auxKCoefficient weight of the AuxK loss that revives dead latents (topk)
 * @param deadAfterTokens a latent that has not fired for this many tokens counts as dead
 * @param seed            seed for initialisation and shuffling
 * @param threads         threads for the forward product and the backward pass (results do not depend on it)
 * @param shuffleBuffer   rows held to mix a stream of activations (training from a model); unused for
 *                        activations held in memory, which are reshuffled whole each epoch
 */
public record TrainConfig(
        Architecture architecture,
        int width,
        int k,
        double l1Coefficient,
        double learningRate,
        int batchSize,
        long tokens,
        double auxKCoefficient,
        long deadAfterTokens,
        long seed,
        int threads,
        int shuffleBuffer) {
    public TrainConfig {
        if (architecture != Architecture.TOPK && architecture != Architecture.STANDARD) {
            throw new IllegalArgumentException("architecture must be topk or standard, got "
                    + (architecture == null ? null : architecture.cfgName()));
        }
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        if (architecture == Architecture.TOPK && (k <= 0 || k > width)) {
            throw new IllegalArgumentException("k must be in 1.." + width + ", got " + k);
        }
        if (l1Coefficient < 0) {
            throw new IllegalArgumentException("l1Coefficient must not be negative, got " + l1Coefficient);
        }
        if (learningRate < 0) {
            throw new IllegalArgumentException("learningRate must not be negative, got " + learningRate);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive, got " + tokens);
        }
        if (auxKCoefficient < 0) {
            throw new IllegalArgumentException("auxKCoefficient must not be negative, got " + auxKCoefficient);
        }
        if (deadAfterTokens <= 0) {
            throw new IllegalArgumentException("deadAfterTokens must be positive, got " + deadAfterTokens);
        }
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        if (shuffleBuffer < batchSize) {
            throw new IllegalArgumentException(
                    "shuffleBuffer must hold at least one batch (" + batchSize + " rows), got " + shuffleBuffer);
        }
    }

    /** The defaults: a TopK SAE of 3072 features, k 32, as for all-MiniLM-L6-v2's 384-wide layers. */
    public static TrainConfig defaults() {
        return new TrainConfig(
                Architecture.TOPK,
                3072,
                32,
                5.0,
                0,
                1024,
                2_000_000,
                1.0 / 32,
                200_000,
                42,
                Runtime.getRuntime().availableProcessors(),
                32_768);
    }

    /** The step size actually used. */
    public double effectiveLearningRate() {
        return learningRate > 0 ? learningRate : 2e-4 / Math.sqrt(width / 16384.0);
    }

    /** This config with another architecture and size, set together because k is checked against the width. */
    public TrainConfig withShape(Architecture architecture, int width, int k) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    /** This config with other batch and shuffle-buffer sizes, set together because the buffer must hold a batch. */
    public TrainConfig withBatches(int batchSize, int shuffleBuffer) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withL1Coefficient(double l1Coefficient) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withLearningRate(double learningRate) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withTokens(long tokens) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withAuxKCoefficient(double auxKCoefficient) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withDeadAfterTokens(long deadAfterTokens) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withSeed(long seed) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }

    public TrainConfig withThreads(int threads) {
        return new TrainConfig(
                architecture,
                width,
                k,
                l1Coefficient,
                learningRate,
                batchSize,
                tokens,
                auxKCoefficient,
                deadAfterTokens,
                seed,
                threads,
                shuffleBuffer);
    }
}
