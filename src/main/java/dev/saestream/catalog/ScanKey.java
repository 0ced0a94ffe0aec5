package dev.saestream.catalog;

/** Where a record of the scan step goes: a shard's delta to that shard, or a dead letter under its document id. */
sealed interface ScanKey {
    /** A delta for the features shard {@code shard} owns. */
    record ToShard(int shard) implements ScanKey {}

    /** A codes record that could not be read, keyed on the DLQ by {@code id}. */
    record Rejected(String id) implements ScanKey {}
}
