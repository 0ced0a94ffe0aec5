package dev.saestream.kafka;

import java.util.Map;

/**
 * Topic configs for the topics Kafka Streams creates for saestream's stages (state-store changelogs,
 * repartition topics), so that their disk, and the time a restart takes to restore from them, follow
 * the live state rather than the history. At the broker's defaults nothing is cleaned: compaction
 * never touches the active segment, and a 1 GB, 7-day segment is active for days.
 */
public final class InternalTopics {
    /**
     * Every internal topic: segments roll at 2 MB or a minute, so the purges after each commit
     * (repartition topics, which delete whole segments only) have closed segments to delete.
     */
    public static final Map<String, String> ALL =
            Map.of("segment.bytes", String.valueOf(2 << 20), "segment.ms", "60000");

    /**
     * State-store changelogs: segments roll at 1 MB or a minute, since the cleaner never touches the
     * active segment and a restore after a crash reads it whole (with 8 MB segments the windows
     * changelog held 2.6 records per live window after 1,000 documents); compacted once a fifth of
     * the log is overwritten records (a compaction rewrites the clean part, so at a tenth the cleaner
     * took about twice the CPU; a restore reads at most 1.25 records per live entry besides the
     * active segment), at least every 10 minutes; a deleted entry's tombstone is
     * dropped after 10 minutes (a restore that takes longer than that may keep an entry deleted
     * meanwhile; the next change corrects it).
     */
    public static final Map<String, String> CHANGELOG = Map.of(
            "cleanup.policy", "compact",
            "segment.bytes", String.valueOf(1 << 20),
            "segment.ms", "60000",
            "min.cleanable.dirty.ratio", "0.2",
            "max.compaction.lag.ms", "600000",
            "delete.retention.ms", "600000");

    private InternalTopics() {}
}
