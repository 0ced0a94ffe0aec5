package dev.saestream.produce;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one produce run did. {@code read == produced + deadLettered + skipped} always holds.
 *
 * @param read         inputs read (documents and refusals)
 * @param produced     documents acknowledged by Kafka on the texts topic
 * @param deadLettered inputs acknowledged on the dead-letter topic
 * @param bytes        UTF-8 bytes of the produced texts
 * @param reasons      dead letters by reason
 * @param skipped      documents left out because the pipeline had taken them in already (same id, same text)
 */
public record ProduceSummary(long read, long produced, long deadLettered, long bytes, Map<String, Long> reasons, long skipped) {
    public ProduceSummary {
        reasons = Map.copyOf(reasons);
    }

    public String line() {
        StringBuilder sb = new StringBuilder()
                .append("read ").append(read)
                .append(", produced ").append(produced)
                .append(", dead-lettered ").append(deadLettered);
        if (!reasons.isEmpty()) {
            sb.append(" ").append(new TreeMap<>(reasons));
        }
        if (skipped > 0) {
            sb.append(", skipped ").append(skipped).append(" already catalogued");
        }
        return sb.toString();
    }
}
