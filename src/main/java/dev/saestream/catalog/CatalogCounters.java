package dev.saestream.catalog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.TaskId;

/** Live counts of one catalog instance, for progress, summaries and benchmarks; shared by its stream threads. */
public final class CatalogCounters {
    /** Codes records read. */
    public final AtomicLong documents = new AtomicLong();
    /** Codes records of SAEs outside this catalogue's scope, passed over. */
    public final AtomicLong otherSae = new AtomicLong();
    /** Shard deltas sent through the repartition topic. */
    public final AtomicLong shardRecords = new AtomicLong();
    /** Window candidates sent with them (after the per-task filters). */
    public final AtomicLong candidates = new AtomicLong();
    /** Feature states emitted to saestream.features, and their bytes. */
    public final AtomicLong emitted = new AtomicLong();

    public final AtomicLong emittedBytes = new AtomicLong();
    /** Statistics alone emitted to saestream.feature-stats between full states, and their bytes. */
    public final AtomicLong statsEmitted = new AtomicLong();

    public final AtomicLong statsEmittedBytes = new AtomicLong();
    /** Whether each merge task of this instance has settled since its last input. */
    private final Map<TaskId, Boolean> settled = new ConcurrentHashMap<>();

    /**
     * True when every merge task here has settled: idle, every changed feature's state emitted and
     * the statistics checkpointed, so queries and {@code saestream.features} show all it has read.
     * Vacuously true while this instance has no merge task.
     */
    public boolean settled() {
        return !settled.containsValue(false);
    }

    void settled(TaskId task, boolean done) {
        settled.put(task, done);
    }

    void closed(TaskId task) {
        settled.remove(task);
    }
}
