package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreProgressTest {
    @Test
    void restoringUntilEveryStartedPartitionEndsOrMoves() {
        RestoreProgress p = new RestoreProgress();
        TopicPartition stats = new TopicPartition("app-catalog-stats-changelog", 0);
        TopicPartition windows = new TopicPartition("app-catalog-windows-changelog", 1);
        assertThat(p.restoring()).isFalse();
        assertThat(p.status()).isNull();

        p.onRestoreStart(stats, "catalog-stats", 10, 110);
        p.onRestoreStart(windows, "catalog-windows", 0, 1_000);
        p.onBatchRestored(stats, "catalog-stats", 60, 50);
        assertThat(p.status()).isEqualTo("restoring the catalogue: 50 of about 1,100 records");
        p.onBatchRestored(stats, "catalog-stats", 110, 48);
        p.onRestoreEnd(stats, "catalog-stats", 98);
        assertThat(p.restoring()).isTrue();
        p.onBatchRestored(windows, "catalog-windows", 700, 700);
        p.onRestoreSuspended(windows, "catalog-windows", 700);
        assertThat(p.restoring()).isFalse();
        assertThat(p.restored()).isEqualTo(798);

        // a later round (a rebalance) counts afresh in its status, and on in the total
        p.onRestoreStart(stats, "catalog-stats", 110, 130);
        p.onBatchRestored(stats, "catalog-stats", 130, 20);
        assertThat(p.status()).isEqualTo("restoring the catalogue: 20 of about 20 records");
        p.onRestoreEnd(stats, "catalog-stats", 20);
        assertThat(p.restored()).isEqualTo(818);
        assertThat(p.restoring()).isFalse();
    }
}
