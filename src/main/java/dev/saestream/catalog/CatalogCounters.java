package dev.saestream.catalog;

import java.util.concurrent.atomic.AtomicLong;

/** Live counts of one catalog instance, for progress, summaries and benchmarks; shared by its stream threads. */
public final class CatalogCounters {
    /** Codes records read. */
    public final AtomicLong documents = new AtomicLong();
    /** Shard deltas sent through the repartition topic. */
    public final AtomicLong shardRecords = new AtomicLong();
    /** Window candidates sent with them (after the per-task filters). */
    public final AtomicLong candidates = new AtomicLong();
    /** Feature states emitted to saestream.features, and their bytes. */
    public final AtomicLong emitted = new AtomicLong();
    public final AtomicLong emittedBytes = new AtomicLong();
}
