package dev.saestream.produce;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one produce run did. {@code read == produced + deadLettered + skipped + otherLanguage} always holds.
 *
 * @param read         inputs read (documents and refusals)
 * @param produced     documents acknowledged by Kafka on the texts topic
 * @param deadLettered inputs acknowledged on the dead-letter topic
 * @param bytes        UTF-8 bytes of the produced texts
 * @param reasons      dead letters by reason
 * @param skipped      documents left out because the pipeline had taken them in already (same id, same text)
 * @param otherLanguage documents of the bundled corpus left out for their language ({@code produce.lang})
 * @param languages    the languages kept, as asked ({@code all} when every one is)
 */
public record ProduceSummary(
        long read,
        long produced,
        long deadLettered,
        long bytes,
        Map<String, Long> reasons,
        long skipped,
        long otherLanguage,
        String languages) {
    public ProduceSummary {
        reasons = Map.copyOf(reasons);
    }

    /** A summary of input that was not filtered by language. */
    public ProduceSummary(
            long read, long produced, long deadLettered, long bytes, Map<String, Long> reasons, long skipped) {
        this(read, produced, deadLettered, bytes, reasons, skipped, 0, "all");
    }

    public String line() {
        StringBuilder sb = new StringBuilder()
                .append("read ")
                .append(read)
                .append(", produced ")
                .append(produced)
                .append(", dead-lettered ")
                .append(deadLettered);
        if (!reasons.isEmpty()) {
            sb.append(" ").append(new TreeMap<>(reasons));
        }
        if (skipped > 0) {
            sb.append(", skipped ").append(skipped).append(" already catalogued");
        }
        if (otherLanguage > 0) {
            sb.append(", left out ")
                    .append(otherLanguage)
                    .append(" not in ")
                    .append(languages)
                    .append(" (kept ")
                    .append(read - otherLanguage)
                    .append(" of ")
                    .append(read)
                    .append(")");
        }
        return sb.toString();
    }
}
