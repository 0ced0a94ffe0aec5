package dev.saestream.catalog;

/**
 * The catalog stage (config section {@code catalog}).
 *
 * @param applicationId     Kafka Streams application id: instances with the same id share the work
 * @param topK              exact top windows kept per feature
 * @param before            tokens before the peak in a window
 * @param after             tokens after the peak in a window
 * @param reservoirSize     uniform sample of activating windows kept per feature
 * @param backgroundSize    random windows (with all features' codes) kept for non-activating examples
 * @param backgroundLength  tokens in a background window
 * @param seed              seed of the sampling hash: same seed, same samples
 * @param shards            partitions of the feature-keyed repartition topic (0: as many as saestream.codes)
 * @param emitIntervalMs    a feature reaches saestream.features at most once per this interval, doubling after
 *                          each emission up to {@code emitMaxIntervalMs}, and then only when it changed
 *                          materially (see the next two); when the input goes idle, every change is emitted
 * @param emitMaxIntervalMs the longest wait between two emissions of a feature that keeps changing
 * @param emitGrowth        material change: activations grew by this fraction since the last emission
 * @param emitTopChange     material change: this fraction of the top windows was replaced since the last emission
 * @param statsIntervalMs   between two full states, a changed feature's statistics alone (no windows) reach
 *                          saestream.feature-stats at most once per this interval; 0: never
 * @param emitBytesPerTick  feature states one emission tick writes, at most (about): keeps a tick, and the
 *                          transaction it runs in, short; the features left over stay due and go at the next tick
 * @param checkpointMs      how often in-memory statistics are checkpointed to their changelogged store
 * @param commitIntervalMs  Kafka Streams commit interval (exactly once: also the transaction length)
 * @param threads           stream threads in this instance
 * @param persistentWindows windows in RocksDB (bounded heap) rather than in memory
 * @param stateDir          Kafka Streams state directory
 * @param facet             per feature, activations are counted by the value of this document metadata field (as
 *                          encode carries it in saestream.codes: {@code encode.facet}); empty: no facet
 * @param facetValues       values counted exactly per feature: the first this many distinct values a feature meets;
 *                          later new values are summed under "other"
 */
public record CatalogConfig(
        String applicationId,
        int topK,
        int before,
        int after,
        int reservoirSize,
        int backgroundSize,
        int backgroundLength,
        long seed,
        int shards,
        long emitIntervalMs,
        long emitMaxIntervalMs,
        double emitGrowth,
        double emitTopChange,
        long statsIntervalMs,
        long emitBytesPerTick,
        long checkpointMs,
        long commitIntervalMs,
        int threads,
        boolean persistentWindows,
        String stateDir,
        String facet,
        int facetValues) {
    public static final String SECTION = "catalog";
    public static final String DEFAULT_FACET = "lang";
    public static final int DEFAULT_FACET_VALUES = 16;

    public CatalogConfig {
        positive("topK", topK);
        positive("reservoirSize", reservoirSize);
        positive("backgroundSize", backgroundSize);
        positive("backgroundLength", backgroundLength);
        positive("threads", threads);
        positive("facetValues", facetValues);
        facet = facet == null ? "" : facet.strip();
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException(
                    "catalog.before and catalog.after must be >= 0, got " + before + ", " + after);
        }
        if (shards < 0) {
            throw new IllegalArgumentException("catalog.shards must be >= 0, got " + shards);
        }
        if (emitIntervalMs < 0
                || statsIntervalMs < 0
                || emitMaxIntervalMs < emitIntervalMs
                || checkpointMs <= 0
                || commitIntervalMs <= 0
                || emitBytesPerTick <= 0) {
            throw new IllegalArgumentException("catalog intervals and emitBytesPerTick must be positive");
        }
        if (!(emitGrowth >= 0) || !(emitTopChange >= 0 && emitTopChange <= 1)) {
            throw new IllegalArgumentException("catalog.emitGrowth must be >= 0 and emitTopChange in [0, 1], got "
                    + emitGrowth + ", " + emitTopChange);
        }
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("catalog.applicationId must be given");
        }
    }

    /** This config under another Kafka Streams application id. */
    public CatalogConfig withApplicationId(String id) {
        return new CatalogConfig(
                id,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config with other samples: top windows, window span (tokens before and after the peak), reservoir. */
    public CatalogConfig withSamples(int topK, int before, int after, int reservoirSize) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config with another background sample: windows kept and tokens in each. */
    public CatalogConfig withBackground(int size, int length) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                size,
                length,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config with {@code shards} partitions of the repartition topic (0: as many as saestream.codes). */
    public CatalogConfig withShards(int shards) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config with other emission rules (see the record's parameters). */
    public CatalogConfig withEmission(long intervalMs, long maxIntervalMs, double growth, double topChange) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                intervalMs,
                maxIntervalMs,
                growth,
                topChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config emitting statistics alone at most once per {@code intervalMs} between full states (0: never). */
    public CatalogConfig withStatsInterval(long intervalMs) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                intervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config writing at most about {@code bytes} of feature states per emission tick. */
    public CatalogConfig withEmitBytesPerTick(long bytes) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                bytes,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config checkpointing statistics and committing at other intervals. */
    public CatalogConfig withIntervals(long checkpointMs, long commitIntervalMs) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config keeping its state in {@code stateDir}, windows in RocksDB when {@code persistentWindows}. */
    public CatalogConfig withState(boolean persistentWindows, String stateDir) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }

    /** This config counting activations by the metadata field {@code facet}, {@code values} values exactly. */
    public CatalogConfig withFacet(String facet, int values) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                values);
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("catalog." + name + " must be positive, got " + v);
        }
    }

    public static CatalogConfig defaults() {
        return new CatalogConfig(
                "saestream-catalog",
                50,
                15,
                16,
                200,
                1000,
                32,
                42L,
                0,
                60_000,
                300_000,
                3.0,
                0.5,
                10_000,
                32L << 20,
                5_000,
                1_000,
                1,
                true,
                "data/streams",
                DEFAULT_FACET,
                DEFAULT_FACET_VALUES);
    }

    /** Tokens in a window: before + peak + after. Peaks of one document are at least this far apart. */
    public int windowLength() {
        return before + after + 1;
    }

    /** This config running {@code threads} stream threads in this instance. */
    public CatalogConfig withThreads(int threads) {
        return new CatalogConfig(
                applicationId,
                topK,
                before,
                after,
                reservoirSize,
                backgroundSize,
                backgroundLength,
                seed,
                shards,
                emitIntervalMs,
                emitMaxIntervalMs,
                emitGrowth,
                emitTopChange,
                statsIntervalMs,
                emitBytesPerTick,
                checkpointMs,
                commitIntervalMs,
                threads,
                persistentWindows,
                stateDir,
                facet,
                facetValues);
    }
}
