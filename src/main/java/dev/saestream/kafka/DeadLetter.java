package dev.saestream.kafka;

import java.nio.charset.StandardCharsets;

/**
 * A record that could not be processed, as written to {@code saestream.dlq}: which stage refused
 * it, why, where it came from, and the original (capped, so one huge bad input can not flood the
 * topic).
 *
 * @param stage     the stage that refused it: produce, encode, catalog, label
 * @param reason    a short machine-friendly reason, e.g. {@code empty-text}, {@code invalid-utf8}
 * @param detail    one human sentence with the specifics
 * @param source    where it came from: file and line, topic-partition@offset, or "stdin:line"
 * @param original  the original input, capped to {@link #ORIGINAL_CAP_BYTES} bytes of UTF-8
 * @param originalBytes the size of the original in bytes, before capping
 * @param ts        epoch millis when it was dead-lettered
 */
public record DeadLetter(
        String stage, String reason, String detail, String source, String original, long originalBytes, long ts) {
    public static final int ORIGINAL_CAP_BYTES = 4096;

    public DeadLetter {
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must be given");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must be given");
        }
    }

    /** A dead letter for {@code original} bytes, decoded leniently (bad UTF-8 becomes U+FFFD) and capped. */
    public static DeadLetter of(String stage, String reason, String detail, String source, byte[] original) {
        return of(stage, reason, detail, source, original, original == null ? 0 : original.length);
    }

    /** As above, for an original of which only a prefix was kept: {@code size} is its full size in bytes. */
    public static DeadLetter of(String stage, String reason, String detail, String source, byte[] original, long size) {
        byte[] bytes = original == null ? new byte[0] : original;
        int n = Math.min(bytes.length, ORIGINAL_CAP_BYTES);
        String shown = new String(bytes, 0, n, StandardCharsets.UTF_8);
        return new DeadLetter(
                stage, reason, detail, source, shown, Math.max(size, bytes.length), System.currentTimeMillis());
    }

    public static DeadLetter of(String stage, String reason, String detail, String source, String original) {
        return of(stage, reason, detail, source, original == null ? null : original.getBytes(StandardCharsets.UTF_8));
    }

    /** True when {@link #original} is shorter than what was refused. */
    public boolean truncated() {
        return original != null && original.getBytes(StandardCharsets.UTF_8).length < originalBytes;
    }
}
