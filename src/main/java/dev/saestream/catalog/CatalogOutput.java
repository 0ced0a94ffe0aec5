package dev.saestream.catalog;

/** Where a record the merge step emits goes: the topic, and the key on it. */
record CatalogOutput(String topic, String key) {}
