package dev.saestream.model;

import java.nio.file.Path;

/**
 * The {@code model} section: which transformer, which hook, and how texts are windowed and batched.
 *
 * @param name                 a bundled model: {@code all-minilm-l6-v2} (default), {@code all-minilm-l6-v2-q},
 *                             {@code bge-small-en-v1.5}, {@code bge-small-en-v1.5-q}
 * @param dir                  a model directory ({@code model.onnx} + {@code tokenizer.json}); when set it
 *                             wins over {@code name}
 * @param hook                 an alias ({@code layer3}, {@code layer3.attn}, …), SAELens hook name or tensor name
 * @param maxTokens            tokens per window, special tokens included; 0 for the model's maximum
 * @param overlap              tokens shared by consecutive windows of a long text
 * @param batchSize            windows per ONNX Runtime run
 * @param threads              ONNX Runtime intra-op threads; 0 for one per available processor
 * @param includeSpecialTokens whether [CLS], [SEP], BOS … come back with the text's tokens
 * @param cacheDir             where extracted and edited models are kept; null for
 *                             {@code ${user.home}/.cache/saestream/models}
 * @param device               where ONNX Runtime runs the transformer and the SAE head: {@code cpu} (default),
 *                             {@code cuda} or {@code cuda:N} (ONNX Runtime's CUDA execution provider)
 */
public record ModelConfig(
        String name,
        String dir,
        String hook,
        int maxTokens,
        int overlap,
        int batchSize,
        int threads,
        boolean includeSpecialTokens,
        String cacheDir,
        String device) {
    public static final String SECTION = "model";

    /** This config running ONNX Runtime with {@code threads} intra-op threads. */
    public ModelConfig withThreads(int threads) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    /**
     * This config with its threads set, when it leaves them open (0), so that {@code stageThreads}
     * stage threads each running the model share the machine's cores.
     */
    public ModelConfig sharingCores(int stageThreads) {
        return threads > 0 ? this : withThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / stageThreads));
    }

    /** This config with the tokenizer's special tokens ([CLS], [SEP]) kept or left out of the activations. */
    public ModelConfig withSpecialTokens(boolean include) {
        return new ModelConfig(name, dir, hook, maxTokens, overlap, batchSize, threads, include, cacheDir, device);
    }

    public ModelConfig {
        if ((name == null || name.isBlank()) && (dir == null || dir.isBlank())) {
            throw new IllegalArgumentException("model: give a name or a dir");
        }
        if (hook == null || hook.isBlank()) {
            throw new IllegalArgumentException("model.hook must not be empty");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException(
                    "model.maxTokens must be >= 0 (0 for the model's maximum), got " + maxTokens);
        }
        if (overlap < 0) {
            throw new IllegalArgumentException("model.overlap must be >= 0, got " + overlap);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("model.batchSize must be positive, got " + batchSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("model.threads must be >= 0 (0 for all processors), got " + threads);
        }
        dir = dir == null || dir.isBlank() ? null : dir;
        cacheDir = cacheDir == null || cacheDir.isBlank() ? null : cacheDir;
        device = OnnxDevice.parse(device).toString();
    }

    public static ModelConfig defaults() {
        return new ModelConfig(BundledModel.ALL_MINILM_L6_V2.id(), null, "layer3", 0, 32, 32, 0, false, null, "cpu");
    }

    public ModelConfig withName(String newName) {
        return new ModelConfig(
                newName, null, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    public ModelConfig withHook(String newHook) {
        return new ModelConfig(
                name, dir, newHook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    public ModelConfig withBatchSize(int newBatchSize) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, newBatchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    public ModelConfig withCacheDir(Path newCacheDir) {
        return new ModelConfig(
                name,
                dir,
                hook,
                maxTokens,
                overlap,
                batchSize,
                threads,
                includeSpecialTokens,
                newCacheDir.toString(),
                device);
    }

    /** This config running ONNX Runtime on {@code newDevice}: {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public ModelConfig withDevice(String newDevice) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, newDevice);
    }

    OnnxDevice onnxDevice() {
        return OnnxDevice.parse(device);
    }

    /** The cache directory to use. */
    public Path cachePath() {
        return cacheDir != null
                ? Path.of(cacheDir)
                : Path.of(System.getProperty("user.home"), ".cache", "saestream", "models");
    }

    /** The intra-op thread count to give ONNX Runtime. */
    public int threadCount() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    public ModelConfig withDir(String dir) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    public ModelConfig withMaxTokens(int maxTokens) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }

    public ModelConfig withOverlap(int overlap) {
        return new ModelConfig(
                name, dir, hook, maxTokens, overlap, batchSize, threads, includeSpecialTokens, cacheDir, device);
    }
}
