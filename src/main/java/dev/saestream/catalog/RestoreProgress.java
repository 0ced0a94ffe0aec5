package dev.saestream.catalog;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's stores loading from their changelogs after a restart or a move: whether any is
 * loading now, and how many records were loaded. Kafka Streams can report RUNNING while its state
 * updater still restores, so "caught up" also asks this.
 */
public final class RestoreProgress implements StateRestoreListener {
    private static final Logger log = LoggerFactory.getLogger(RestoreProgress.class);

    private final Map<TopicPartition, Long> loading = new ConcurrentHashMap<>();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong roundRecords = new AtomicLong();
    private final AtomicLong roundOffsets = new AtomicLong();
    private volatile long roundStartNanos;

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        synchronized (this) {
            if (loading.isEmpty()) {
                roundStartNanos = System.nanoTime();
                roundRecords.set(0);
                roundOffsets.set(0);
            }
            loading.put(partition, endingOffset - startingOffset);
            roundOffsets.addAndGet(endingOffset - startingOffset);
        }
        log.debug("restoring {} from {}: offsets {} to {}", store, partition, startingOffset, endingOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restored.addAndGet(numRestored);
        roundRecords.addAndGet(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        done(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        done(partition);
    }

    private void done(TopicPartition partition) {
        synchronized (this) {
            if (loading.remove(partition) != null && loading.isEmpty() && roundRecords.get() > 0) {
                log.info(
                        "catalog state restored: {} records in {} ms",
                        roundRecords.get(),
                        (System.nanoTime() - roundStartNanos) / 1_000_000);
            }
        }
    }

    /** True while a store of this instance is loading from its changelog. */
    public boolean restoring() {
        return !loading.isEmpty();
    }

    /**
     * While restoring: "restoring the catalogue: N of about M records", M counted in changelog
     * offsets (transaction markers and compacted-away records make it an upper bound); else null.
     */
    public String status() {
        if (!restoring()) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "restoring the catalogue: %,d of about %,d records",
                roundRecords.get(),
                roundOffsets.get());
    }

    /** Records loaded from changelogs since this instance started. */
    public long restored() {
        return restored.get();
    }
}
