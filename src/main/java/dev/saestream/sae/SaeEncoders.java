package dev.saestream.sae;

/**
 * The encoders and the choice among them. {@code saestream bench sae} measures each; the
 * default is the one that measured fastest while matching {@link ReferenceEncoder} to 1e-5.
 */
public final class SaeEncoders {
    private SaeEncoders() {}

    public static SaeEncoder reference(Sae sae) {
        return new ReferenceEncoder(sae);
    }

    public static SaeEncoder blocked(Sae sae, int threads) {
        return new BlockedEncoder(sae, threads);
    }

    public static OnnxSaeEncoder onnx(Sae sae, int threads, int kMax) {
        return new OnnxSaeEncoder(sae, threads, kMax);
    }

    /** All available cores. */
    public static int allThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static SaeEncoder defaultEncoder(Sae sae) {
        return onnx(sae, 1, OnnxSaeEncoder.DEFAULT_K_MAX);
    }
}
