package dev.saestream.label;

import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The newest label of each feature on the labels topic, read once to its end: what a report, an
 * export or a comparison shows. A tombstone deletes a feature's label; of two labels of a feature
 * the newer wins ({@link LabelStore}), whatever order they were read in.
 *
 * @param byKey      the labels, by feature key {@code saeId/index}
 * @param unreadable records that did not parse as labels (skipped, and logged)
 */
public record LatestLabels(Map<String, Label> byKey, int unreadable) {
    private static final Logger log = LoggerFactory.getLogger(LatestLabels.class);

    /** The labels of the features whose keys {@code keys} accepts. */
    public static LatestLabels read(String topic, Map<String, Object> kafka, Predicate<String> keys, Duration timeout) {
        LabelStore store = new LabelStore();
        Set<String> seen = new HashSet<>();
        int[] unreadable = {0};
        TopicFollower.readToEnd(
                topic,
                kafka,
                r -> {
                    if (r.key() == null || !keys.test(r.key())) {
                        return;
                    }
                    if (r.value() == null) {
                        store.remove(r.key());
                        return;
                    }
                    try {
                        store.offer(Json.read(r.value(), Label.class));
                        seen.add(r.key());
                    } catch (RuntimeException e) {
                        unreadable[0]++;
                        log.warn(
                                "skipping an unreadable label at {}-{}@{}: {}",
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                e.getMessage());
                    }
                },
                timeout);
        Map<String, Label> byKey = new HashMap<>();
        for (String key : seen) {
            Label l = store.get(key);
            if (l != null) {
                byKey.put(key, l);
            }
        }
        return new LatestLabels(Map.copyOf(byKey), unreadable[0]);
    }
}
