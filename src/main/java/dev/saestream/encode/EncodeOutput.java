package dev.saestream.encode;

import dev.saestream.kafka.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** What encoding one text gives: a codes record (one per SAE), or a dead letter. Each knows its topic. */
sealed interface EncodeOutput {
    String topic();

    byte[] bytes();

    /** One SAE's codes of the document, in {@link CodesFormat}. */
    record Codes(byte[] bytes) implements EncodeOutput {
        @Override
        public String topic() {
            return Topics.CODES;
        }
    }

    /** A text that could not be read or encoded, as a {@code DeadLetter}'s JSON. */
    record DeadLettered(byte[] bytes) implements EncodeOutput {
        @Override
        public String topic() {
            return Topics.DLQ;
        }
    }

    /** Writes the record's bytes; outputs are only ever written, so there is nothing to read back. */
    Serde<EncodeOutput> SERDE = Serdes.serdeFrom((topic, out) -> out == null ? null : out.bytes(), (topic, bytes) -> {
        throw new UnsupportedOperationException("encode outputs are written, never read back as such");
    });
}
