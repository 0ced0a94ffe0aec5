package dev.saestream.serve;

import dev.saestream.catalog.FeatureKey;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import dev.saestream.kafka.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's own copy of the catalogue: {@code saestream.features} (full states),
 * {@code saestream.feature-stats} (newer figures between them) and {@code saestream.labels}
 * read from the beginning and followed (no consumer group, so any number of servers each see all
 * of it), and the dead letters counted by reason. It lives on the followers' threads; requests read
 * it and never reach a stage. {@link #ready} turns true once both topics have been read as they
 * were at start.
 */
public final class CatalogView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogView.class);

    private final Map<String, SaeFeatures> saes = new ConcurrentHashMap<>();
    /** Dead letters by stage, then reason. */
    private final Map<String, Map<String, LongAdder>> deadLetters = new ConcurrentHashMap<>();

    private final AtomicLong unreadable = new AtomicLong();
    private final TopicFollower features;
    private final TopicFollower featureStats;
    private final TopicFollower labels;
    private final TopicFollower dlq;

    private CatalogView(Map<String, Object> kafka) {
        this.features = new TopicFollower(Topics.FEATURES, kafka, this::onFeature);
        this.featureStats = new TopicFollower(Topics.FEATURE_STATS, kafka, this::onFeatureStats);
        this.labels = new TopicFollower(Topics.LABELS, kafka, this::onLabel);
        this.dlq = new TopicFollower(Topics.DLQ, kafka, this::onDeadLetter);
    }

    /** Starts following the topics on {@code kafka} (client properties with bootstrap.servers). */
    public static CatalogView start(Map<String, Object> kafka) {
        CatalogView v = new CatalogView(kafka);
        v.features.start();
        v.featureStats.start();
        v.labels.start();
        v.dlq.start();
        return v;
    }

    /** True once the features and labels topics have been read up to where they ended at start. */
    public boolean ready() {
        return features.caughtUp() && featureStats.caughtUp() && labels.caughtUp();
    }

    /** The followers' consumers by topic, for their client metrics on {@code /metrics}. */
    Map<String, org.apache.kafka.clients.consumer.Consumer<String, byte[]>> consumers() {
        Map<String, org.apache.kafka.clients.consumer.Consumer<String, byte[]>> out = new TreeMap<>();
        for (TopicFollower f : List.of(features, featureStats, labels, dlq)) {
            if (f.consumer() != null) {
                out.put(f.topic(), f.consumer());
            }
        }
        return out;
    }

    /** The SAE ids seen, sorted. */
    public Set<String> saeIds() {
        return new TreeSet<>(saes.keySet());
    }

    /** The SAE's features and labels, or null when none has been seen. */
    public SaeFeatures sae(String saeId) {
        return saes.get(saeId);
    }

    /** Bytes of deflated feature states held, and their inflated size: what the view costs in memory. */
    public long[] stateBytes() {
        long deflated = 0;
        long inflated = 0;
        for (SaeFeatures s : saes.values()) {
            for (FeatureEntry f : s.features()) {
                deflated += f.json().bytes().length;
                inflated += f.json().length();
            }
        }
        return new long[] {deflated, inflated};
    }

    /** Dead letters on saestream.dlq by reason, in reason order. */
    public Map<String, Long> deadLetters() {
        Map<String, Long> out = new TreeMap<>();
        deadLetters
                .values()
                .forEach(byReason -> byReason.forEach((reason, n) -> out.merge(reason, n.sum(), Long::sum)));
        return out;
    }

    /** Dead letters one stage (produce, encode, catalog, label) wrote. */
    public long deadLetters(String stage) {
        Map<String, LongAdder> byReason = deadLetters.get(stage);
        return byReason == null
                ? 0
                : byReason.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Records on the features and labels topics that could not be read (logged once each). */
    public long unreadable() {
        return unreadable.get();
    }

    private SaeFeatures saeFor(String key) {
        return saes.computeIfAbsent(FeatureKey.saeId(key), SaeFeatures::new);
    }

    private void onFeature(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.value() == null) {
                saeFor(r.key()).removeFeature(FeatureKey.index(r.key()));
                return;
            }
            FeatureEntry e = FeatureEntry.parse(r.value());
            SaeFeatures sae = saeFor(FeatureKey.of(e.saeId(), e.index()));
            // the two followers run on their own threads: merge one key at a time
            synchronized (sae) {
                FeatureEntry known = sae.feature(e.index());
                sae.putFeature(known == null ? e : known.withState(e));
            }
        } catch (RuntimeException e) {
            skipped(r, e);
        }
    }

    /** Statistics between two full states: newer figures for a feature whose windows stay those of its state. */
    private void onFeatureStats(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            SaeFeatures sae = saeFor(r.key());
            synchronized (sae) {
                FeatureEntry known = sae.feature(FeatureKey.index(r.key()));
                // figures come after their feature's first full state; without one there is nothing to show yet
                if (known != null) {
                    FeatureEntry merged = known.withFigures(r.value());
                    if (merged != known) {
                        sae.putFeature(merged);
                    }
                }
            }
        } catch (RuntimeException e) {
            skipped(r, e);
        }
    }

    private void onLabel(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.value() == null) {
                saeFor(r.key()).removeLabel(FeatureKey.index(r.key()));
                return;
            }
            LabelEntry e = LabelEntry.parse(r.value());
            saeFor(r.key()).putLabel(e);
        } catch (RuntimeException e) {
            skipped(r, e);
        }
    }

    private void onDeadLetter(ConsumerRecord<String, byte[]> r) {
        String reason = "unreadable";
        String stage = "unknown";
        try {
            if (r.value() != null) {
                var node = Json.MAPPER.readTree(r.value());
                reason = node.path("reason").asText("unreadable");
                stage = node.path("stage").asText("unknown");
            }
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("unreadable dead letter at {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
        }
        deadLetters
                .computeIfAbsent(stage, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(reason, k -> new LongAdder())
                .increment();
    }

    private void skipped(ConsumerRecord<String, byte[]> r, RuntimeException e) {
        if (unreadable.incrementAndGet() <= 10) {
            log.warn(
                    "skipped an unreadable record on {} (partition {}, offset {}): {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage());
        }
        log.debug("unreadable record", e);
    }

    @Override
    public void close() {
        features.close();
        featureStats.close();
        labels.close();
        dlq.close();
    }
}
