package dev.saestream.export;

import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import dev.saestream.label.Label;
import dev.saestream.label.LatestLabels;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SAE's catalogue as the public topics hold it now: per feature the last record on
 * {@code saestream.features} and the last on {@code saestream.labels} (a later offset of the same
 * key wins, as compaction would keep it; a tombstone deletes). Feature states are kept as the
 * bytes read and decoded one at a time, so an export holds one decoded state at a time however
 * large the SAE; labels are small and decoded as read.
 */
public final class CatalogueSnapshot {
    private static final Logger log = LoggerFactory.getLogger(CatalogueSnapshot.class);

    private final String saeId;
    private final TreeMap<Integer, byte[]> features;
    private final Map<Integer, Label> labels;
    private final int unreadableLabels;

    CatalogueSnapshot(
            String saeId, TreeMap<Integer, byte[]> features, Map<Integer, Label> labels, int unreadableLabels) {
        this.saeId = saeId;
        this.features = features;
        this.labels = labels;
        this.unreadableLabels = unreadableLabels;
    }

    /**
     * Reads both topics to their current end and keeps {@code saeId}'s features and labels.
     *
     * @throws IllegalArgumentException when the SAE has no feature on the topic, naming the SAE ids there
     */
    public static CatalogueSnapshot read(Map<String, Object> kafka, ExportConfig config, String saeId) {
        Duration timeout = Duration.ofSeconds(config.readTimeoutSeconds());
        // every SAE's keys, to name them when the one asked for is absent
        Map<String, Set<Integer>> keysBySae = new HashMap<>();
        TreeMap<Integer, byte[]> features = new TreeMap<>();
        TopicFollower.readToEnd(
                config.featuresTopic(),
                kafka,
                r -> {
                    Key k = Key.of(r);
                    if (k == null) {
                        return;
                    }
                    Set<Integer> keys = keysBySae.computeIfAbsent(k.saeId, s -> new TreeSet<>());
                    if (r.value() == null) {
                        keys.remove(k.index);
                    } else {
                        keys.add(k.index);
                    }
                    if (k.saeId.equals(saeId)) {
                        if (r.value() == null) {
                            features.remove(k.index);
                        } else {
                            features.put(k.index, r.value());
                        }
                    }
                },
                timeout);
        if (features.isEmpty()) {
            String known = keysBySae.entrySet().stream()
                    .filter(e -> !e.getValue().isEmpty())
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> String.format(
                            Locale.ROOT,
                            "%s (%,d features)",
                            e.getKey(),
                            e.getValue().size()))
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException("SAE '" + saeId + "' has no features on " + config.featuresTopic() + "; "
                    + (known.isEmpty()
                            ? "the topic holds no features yet (run the pipeline first)"
                            : "the SAE ids there are: " + known));
        }
        LatestLabels latest = LatestLabels.read(
                config.labelsTopic(),
                kafka,
                key -> key.lastIndexOf('/') > 0 && FeatureKey.saeId(key).equals(saeId),
                timeout);
        Map<Integer, Label> labels = new HashMap<>();
        latest.byKey().values().forEach(l -> labels.put(l.index(), l));
        log.info("read {} features and {} labels of {}", features.size(), labels.size(), saeId);
        return new CatalogueSnapshot(saeId, features, labels, latest.unreadable());
    }

    public String saeId() {
        return saeId;
    }

    /** Features of this SAE on the topic. */
    public int size() {
        return features.size();
    }

    /** Their indices, ascending. */
    public NavigableSet<Integer> indices() {
        return Collections.unmodifiableNavigableSet(features.navigableKeySet());
    }

    /** Feature {@code index}'s state, decoded now; refused when it is not this SAE's feature {@code index}. */
    public FeatureState feature(int index) {
        byte[] bytes = features.get(index);
        if (bytes == null) {
            throw new IllegalArgumentException("feature " + index + " of " + saeId + " is not in the snapshot");
        }
        FeatureState s = Json.read(bytes, FeatureState.class);
        if (!saeId.equals(s.saeId()) || s.index() != index) {
            throw new IllegalArgumentException(
                    "the record keyed " + FeatureKey.of(saeId, index) + " holds feature " + s.key());
        }
        return s;
    }

    /** The feature's current label, if it has one. */
    public Optional<Label> label(int index) {
        return Optional.ofNullable(labels.get(index));
    }

    /** Labels by feature index, ascending. */
    public SortedMap<Integer, Label> labels() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    /** Labels skipped because they could not be read. */
    public int unreadableLabels() {
        return unreadableLabels;
    }

    private record Key(String saeId, int index) {
        static Key of(ConsumerRecord<String, byte[]> r) {
            try {
                return new Key(FeatureKey.saeId(r.key()), FeatureKey.index(r.key()));
            } catch (IllegalArgumentException e) {
                log.warn(
                        "skipping a record with key '{}' at {}-{}@{}: not saeId/index",
                        r.key(),
                        r.topic(),
                        r.partition(),
                        r.offset());
                return null;
            }
        }
    }
}
