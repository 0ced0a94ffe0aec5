package dev.saestream.encode;

/**
 * The encode stage (config section {@code encode}).
 *
 * @param applicationId    Kafka Streams application id: instances with the same id share the work
 * @param precision        how activation values are stored in saestream.codes (half or float)
 * @param maxTokens        documents with more tokens than this are dead-lettered (0: no cap)
 * @param threads          stream threads (each runs documents through the model on its own)
 * @param commitIntervalMs Kafka Streams commit interval (exactly once: also the transaction length)
 * @param saeId            overrides the SAE's own id (empty: derived from the SAE's metadata)
 * @param sae              the SAE directory (SAELens layout); several, comma-separated, share one transformer pass
 * @param kMax             for SAEs without a fixed k: the most active features read per token in one pass;
 *                         tokens with more are re-encoded exactly, and counted
 * @param facet            the document metadata field whose value each codes record carries, for the catalogue's
 *                         facet counts (name the same field as {@code catalog.facet}); empty: none
 */
public record EncodeConfig(
        String applicationId,
        CodesFormat.Precision precision,
        int maxTokens,
        int threads,
        long commitIntervalMs,
        String saeId,
        String sae,
        int kMax,
        String facet) {
    public static final String SECTION = "encode";

    /** A config carrying the default facet field, {@code lang}. */
    public EncodeConfig(
            String applicationId,
            CodesFormat.Precision precision,
            int maxTokens,
            int threads,
            long commitIntervalMs,
            String saeId,
            String sae,
            int kMax) {
        this(applicationId, precision, maxTokens, threads, commitIntervalMs, saeId, sae, kMax, DEFAULT_FACET);
    }

    public static final String DEFAULT_FACET = "lang";

    public EncodeConfig {
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("encode.applicationId must be given");
        }
        if (precision == null) {
            throw new IllegalArgumentException("encode.precision must be half or float");
        }
        if (maxTokens < 0 || threads <= 0 || commitIntervalMs <= 0 || kMax <= 0) {
            throw new IllegalArgumentException(
                    "encode.maxTokens must be >= 0, threads, commitIntervalMs and kMax positive");
        }
        facet = facet == null ? "" : facet.strip();
    }

    /** The SAE directories {@link #sae} names, in order. */
    public java.util.List<String> saeDirs() {
        return java.util.Arrays.stream(sae.split(","))
                .map(String::strip)
                .filter(d -> !d.isEmpty())
                .toList();
    }

    public static EncodeConfig defaults() {
        return new EncodeConfig(
                "saestream-encode",
                CodesFormat.Precision.HALF,
                100_000,
                2,
                1_000,
                "",
                "saes/all-minilm-l6-v2-layer3",
                256);
    }

    public EncodeConfig withThreads(int threads) {
        return new EncodeConfig(
                applicationId, precision, maxTokens, threads, commitIntervalMs, saeId, sae, kMax, facet);
    }

    public EncodeConfig withSaeId(String saeId) {
        return new EncodeConfig(
                applicationId, precision, maxTokens, threads, commitIntervalMs, saeId, sae, kMax, facet);
    }

    public EncodeConfig withSae(String sae) {
        return new EncodeConfig(
                applicationId, precision, maxTokens, threads, commitIntervalMs, saeId, sae, kMax, facet);
    }
}
