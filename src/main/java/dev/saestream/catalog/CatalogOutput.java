package dev.saestream.catalog;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Where a record the merge step emits goes: the topic, and the key on it. */
record CatalogOutput(String topic, String key) {
    /** The key as it is on its topic: the string alone (the topic is where it goes, not what it says). */
    static final Serde<CatalogOutput> KEY_SERDE = Serdes.serdeFrom(
            (topic, out) -> out == null ? null : out.key().getBytes(StandardCharsets.UTF_8), (topic, bytes) -> {
                throw new UnsupportedOperationException("catalog outputs are written, never read back as such");
            });
}
