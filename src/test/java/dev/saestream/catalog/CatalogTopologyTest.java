package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.BytesDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTopologyTest {
    static CatalogConfig config(boolean persistent) {
        CatalogConfig d = CatalogConfig.defaults();
        return d.withApplicationId("catalog-test")
                .withSamples(5, 3, 4, 8)
                .withBackground(20, 16)
                .withShards(3)
                .withEmission(0, 0, 1.0, 0.2)
                .withIntervals(1_000, 1_000)
                .withState(persistent, d.stateDir());
    }

    /**
     * Re-emits only when activations doubled or a fifth of the top changed, after 10 s, then 20 s,
     * 40 s ... (or when the input goes idle); ticks every second.
     */
    static CatalogConfig spacedEmissions() {
        CatalogConfig d = config(false);
        return d.withEmission(10_000, 80_000, 1.0, 0.2)
                .withIntervals(1_000, 1_000)
                .withState(false, d.stateDir());
    }

    @TempDir
    Path stateDir;

    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> codes;
    TestOutputTopic<String, byte[]> features;
    TestOutputTopic<String, byte[]> featureStats;
    TestOutputTopic<String, byte[]> background;
    TestOutputTopic<String, byte[]> dlq;

    void start(CatalogConfig config) {
        start(config, new CatalogCounters());
    }

    void start(CatalogConfig config, CatalogCounters counters) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(
                CatalogTopology.build(config, config.shards(), counters), p, Instant.ofEpochMilli(1_000_000));
        codes = driver.createInputTopic(Topics.CODES, new StringSerializer(), new ByteArraySerializer());
        features = driver.createOutputTopic(Topics.FEATURES, new StringDeserializer(), new ByteArrayDeserializer());
        featureStats =
                driver.createOutputTopic(Topics.FEATURE_STATS, new StringDeserializer(), new ByteArrayDeserializer());
        background = driver.createOutputTopic(Topics.BACKGROUND, new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(Topics.DLQ, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void pipe(List<DocumentCodes> docs) {
        for (DocumentCodes d : docs) {
            codes.pipeInput(d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF));
        }
    }

    private Map<String, FeatureState> latestFeatures() {
        Map<String, FeatureState> latest = new HashMap<>();
        features.readKeyValuesToList().forEach(kv -> latest.put(kv.key, Json.read(kv.value, FeatureState.class)));
        return latest;
    }

    @Test
    void everyFeatureEqualsTheBatchReference() {
        CatalogConfig config = config(false);
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(7, 300, 64, 12);
        pipe(docs);
        driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));

        BatchCatalog expected = new BatchCatalog(docs, config);
        Map<String, FeatureState> got = latestFeatures();
        assertThat(got.keySet())
                .isEqualTo(expected.features.keySet().stream()
                        .map(f -> FeatureKey.of(SyntheticCodes.SAE, f))
                        .collect(Collectors.toSet()));
        expected.features.forEach((f, e) -> {
            FeatureState s = got.get(FeatureKey.of(SyntheticCodes.SAE, f));
            assertThat(s.activations()).as("activations of %d", f).isEqualTo(e.activations);
            assertThat(s.documents()).as("documents of %d", f).isEqualTo(e.documents);
            assertThat(s.windows()).as("windows of %d", f).isEqualTo(e.windows.size());
            assertThat(new BigDecimal(s.sum())).as("sum of %d", f).isEqualByComparingTo(e.sum);
            assertThat(s.max()).as("max of %d", f).isEqualTo(e.max);
            assertThat(s.mean()).isEqualTo(s.sum() / e.activations);
            assertThat(s.histogram().counts()).as("histogram of %d", f).containsExactly(e.histogram);
            assertThat(s.tokensSeen()).isEqualTo(expected.tokens);
            assertThat(s.version()).isEqualTo(e.version);
            assertThat(s.top()).as("top windows of %d", f).containsExactlyElementsOf(e.top(config.topK()));
            assertThat(s.reservoir())
                    .as("reservoir of %d", f)
                    .containsExactlyElementsOf(e.reservoir(config.reservoirSize()));
        });
    }

    @Test
    void aDocumentEncodedTwiceKeepsEachOfItsWindowsOnceInTheSamples() {
        CatalogConfig config = config(false);
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(7, 300, 64, 12);
        int half = docs.size() / 2;
        pipe(docs.subList(0, half));
        // every third document of the first half again, as a re-run that encoded it a second time sends it, then
        // the rest: windows that rank among the duplicates' must still get in
        pipe(java.util.stream.IntStream.range(0, half)
                .filter(i -> i % 3 == 0)
                .mapToObj(docs::get)
                .toList());
        pipe(docs.subList(half, docs.size()));
        driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));

        BatchCatalog once = new BatchCatalog(docs, config);
        Map<String, FeatureState> got = latestFeatures();
        once.features.forEach((f, e) -> {
            FeatureState s = got.get(FeatureKey.of(SyntheticCodes.SAE, f));
            assertThat(s.top()).as("top windows of %d", f).containsExactlyElementsOf(e.top(config.topK()));
            assertThat(s.reservoir())
                    .as("reservoir of %d", f)
                    .containsExactlyElementsOf(e.reservoir(config.reservoirSize()));
        });
    }

    @Test
    void aWindowTakingAnothersPlaceInASampleIsOneChangelogRecord() {
        CatalogConfig config = config(true);
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(7, 300, 64, 12);
        pipe(docs);
        driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
        TestOutputTopic<Bytes, byte[]> changelog = driver.createOutputTopic(
                config.applicationId() + "-" + CatalogStores.WINDOWS + "-changelog",
                new BytesDeserializer(),
                new ByteArrayDeserializer());

        List<KeyValue<Bytes, byte[]>> records = changelog.readKeyValuesToList();

        BatchCatalog expected = new BatchCatalog(docs, config);
        long held = expected.features.values().stream()
                .mapToLong(e -> e.top(config.topK()).size()
                        + e.reservoir(config.reservoirSize()).size())
                .sum();
        assertThat(records).as("no deletions").allMatch(kv -> kv.value != null);
        assertThat(records.stream().map(kv -> kv.key).distinct().count())
                .as("a key per place in a sample")
                .isEqualTo(held);
        assertThat((long) records.size()).as("places taken over").isGreaterThan(2 * held);
    }

    @Test
    void persistentWindowStoresGiveTheSameCatalogue() {
        CatalogConfig config = config(true);
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(11, 120, 40, 10);
        pipe(docs);
        driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
        BatchCatalog expected = new BatchCatalog(docs, config);
        Map<String, FeatureState> got = latestFeatures();
        expected.features.forEach((f, e) -> {
            FeatureState s = got.get(FeatureKey.of(SyntheticCodes.SAE, f));
            assertThat(s.top()).containsExactlyElementsOf(e.top(config.topK()));
            assertThat(s.reservoir()).containsExactlyElementsOf(e.reservoir(config.reservoirSize()));
        });
    }

    @Test
    void backgroundTopicHoldsExactlyTheRandomSample() {
        CatalogConfig config = config(false);
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(3, 200, 32, 6);
        pipe(docs);
        Map<String, BackgroundWindow> table = new HashMap<>();
        background.readKeyValuesToList().forEach(kv -> {
            if (kv.value == null) {
                assertThat(table.remove(kv.key))
                        .as("tombstone for a window that was there: %s", kv.key)
                        .isNotNull();
            } else {
                table.put(kv.key, Json.read(kv.value, BackgroundWindow.class));
            }
        });
        List<BackgroundWindow> expected = new BatchCatalog(docs, config).background(config.backgroundSize());
        assertThat(table.values()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(table.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        expected.stream().map(BackgroundWindow::id).toList());
    }

    @Test
    void emissionsAreBoundedPerFeatureNotPerToken() {
        CatalogConfig config = spacedEmissions();
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(5, 400, 16, 8);
        for (int i = 0; i < docs.size(); i += 10) {
            pipe(docs.subList(i, Math.min(docs.size(), i + 10)));
            driver.advanceWallClockTime(Duration.ofMillis(1_000));
        }
        Map<String, Long> perFeature = features.readKeyValuesToList().stream()
                .collect(Collectors.groupingBy(kv -> kv.key, Collectors.counting()));
        long tokens = docs.stream().mapToLong(DocumentCodes::size).sum();
        // 40 ticks of 1 s: first emission, then after 10 s, then after 20 more: at most 3 a feature, whatever the
        // tokens
        assertThat(perFeature.values()).allMatch(n -> n <= 3);
        assertThat(perFeature.values()).contains(3L);
        assertThat(perFeature.values().stream().mapToLong(Long::longValue).sum())
                .isLessThan(tokens / 100);
    }

    @Test
    void aTickOverItsEmissionBudgetLeavesTheRestDueForTheNextTick() {
        CatalogConfig d = config(false);
        // a budget of one byte: each tick writes one feature state and leaves the others due
        CatalogConfig config = d.withEmitBytesPerTick(1).withState(false, d.stateDir());
        start(config);
        List<DocumentCodes> docs = SyntheticCodes.documents(13, 40, 32, 6);
        pipe(docs);
        BatchCatalog expected = new BatchCatalog(docs, config);
        int due = expected.features.size();
        assertThat(due).isGreaterThan(3);
        Map<String, FeatureState> got = new HashMap<>();
        for (int tick = 1; tick <= due; tick++) {
            driver.advanceWallClockTime(Duration.ofMillis(config.checkpointMs()));
            var emitted = features.readKeyValuesToList();
            assertThat(emitted).as("tick %d", tick).hasSize(1);
            emitted.forEach(kv -> assertThat(got.put(kv.key, Json.read(kv.value, FeatureState.class)))
                    .as("%s emitted twice", kv.key)
                    .isNull());
        }
        driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
        assertThat(features.isEmpty()).as("nothing left due").isTrue();
        assertThat(got.keySet())
                .isEqualTo(expected.features.keySet().stream()
                        .map(f -> FeatureKey.of(SyntheticCodes.SAE, f))
                        .collect(Collectors.toSet()));
        expected.features.forEach((f, e) -> {
            FeatureState s = got.get(FeatureKey.of(SyntheticCodes.SAE, f));
            assertThat(s.activations()).as("activations of %d", f).isEqualTo(e.activations);
            assertThat(s.top()).as("top windows of %d", f).containsExactlyElementsOf(e.top(config.topK()));
        });
    }

    @Test
    void itSettlesAfterTwoQuietTicksWithEveryChangedFeatureEmitted() {
        // after its first emission a feature waits 10 s before the next, unless the input goes quiet
        CatalogConfig config = spacedEmissions();
        CatalogCounters counters = new CatalogCounters();
        start(config, counters);
        List<DocumentCodes> docs = SyntheticCodes.documents(17, 80, 32, 8);
        Duration tick = Duration.ofMillis(config.checkpointMs());
        assertThat(counters.settled()).as("before any tick").isFalse();

        pipe(docs.subList(0, 40));
        driver.advanceWallClockTime(tick);
        pipe(docs.subList(40, 80));
        driver.advanceWallClockTime(tick);
        assertThat(counters.settled()).as("input in the last tick").isFalse();
        Map<String, FeatureState> got = latestFeatures();
        BatchCatalog expected = new BatchCatalog(docs, config);
        assertThat(expected.features)
                .anySatisfy((f, e) -> assertThat(got.get(FeatureKey.of(SyntheticCodes.SAE, f)))
                        .as("a feature whose last change is not out yet")
                        .matches(s -> s == null || s.version() < e.version));

        driver.advanceWallClockTime(tick);
        assertThat(counters.settled()).as("one quiet tick").isFalse();
        driver.advanceWallClockTime(tick);
        assertThat(counters.settled()).as("two quiet ticks").isTrue();
        got.putAll(latestFeatures());
        expected.features.forEach((f, e) -> assertThat(
                        got.get(FeatureKey.of(SyntheticCodes.SAE, f)).version())
                .as("version of %d", f)
                .isEqualTo(e.version));

        pipe(List.of(SyntheticCodes.documents(19, 1, 32, 8).get(0)));
        assertThat(counters.settled()).as("new input").isFalse();
    }

    @Test
    void betweenFullStatesTheStatisticsAloneFollowTheBatchReference() {
        // full states wait 10 s after their first emission; figures alone go every second
        CatalogConfig config = spacedEmissions().withStatsInterval(1_000);
        CatalogCounters counters = new CatalogCounters();
        start(config, counters);
        List<DocumentCodes> docs = SyntheticCodes.documents(23, 80, 32, 8);
        Duration tick = Duration.ofMillis(config.checkpointMs());

        pipe(docs.subList(0, 40));
        driver.advanceWallClockTime(tick);
        Map<String, FeatureState> first = latestFeatures();
        assertThat(featureStats.isEmpty())
                .as("nothing but first full states yet")
                .isTrue();

        pipe(docs.subList(40, 80));
        driver.advanceWallClockTime(tick);
        BatchCatalog expected = new BatchCatalog(docs, config);
        Map<String, FeatureState> fullAgain = latestFeatures();
        Map<String, FeatureStatistics> figures = new HashMap<>();
        featureStats
                .readKeyValuesToList()
                .forEach(kv -> assertThat(figures.put(kv.key, Json.read(kv.value, FeatureStatistics.class)))
                        .as("%s twice in a tick", kv.key)
                        .isNull());
        assertThat(figures).as("changed features with a full state out").isNotEmpty();
        expected.features.forEach((f, e) -> {
            String key = FeatureKey.of(SyntheticCodes.SAE, f);
            FeatureStatistics s = figures.get(key);
            boolean changed = first.containsKey(key) && first.get(key).version() < e.version;
            assertThat(s != null)
                    .as("figures of %d: changed after its first full state", f)
                    .isEqualTo(changed);
            if (changed) {
                assertThat(fullAgain)
                        .as("no second full state of %d within 10 s", f)
                        .doesNotContainKey(key);
            }
            if (s != null) {
                assertThat(s.version()).as("version of %d", f).isEqualTo(e.version);
                assertThat(s.activations()).as("activations of %d", f).isEqualTo(e.activations);
                assertThat(s.documents()).as("documents of %d", f).isEqualTo(e.documents);
                assertThat(s.windows()).as("windows of %d", f).isEqualTo(e.windows.size());
                assertThat(new BigDecimal(s.sum())).as("sum of %d", f).isEqualByComparingTo(e.sum);
                assertThat(s.max()).as("max of %d", f).isEqualTo(e.max);
                assertThat(s.histogram().counts()).as("histogram of %d", f).containsExactly(e.histogram);
                assertThat(s.tokensSeen()).isEqualTo(expected.tokens);
            }
        });
        assertThat(counters.statsEmitted.get()).isEqualTo(figures.size());

        // idle: full states catch up with the figures, windows included
        driver.advanceWallClockTime(tick);
        driver.advanceWallClockTime(tick);
        assertThat(counters.settled()).isTrue();
        Map<String, FeatureState> got = new HashMap<>(first);
        got.putAll(fullAgain);
        got.putAll(latestFeatures());
        expected.features.forEach((f, e) -> {
            FeatureState s = got.get(FeatureKey.of(SyntheticCodes.SAE, f));
            assertThat(s.version()).as("version of %d", f).isEqualTo(e.version);
            assertThat(s.top()).as("top windows of %d", f).containsExactlyElementsOf(e.top(config.topK()));
            assertThat(s.reservoir())
                    .as("reservoir of %d", f)
                    .containsExactlyElementsOf(e.reservoir(config.reservoirSize()));
        });
        assertThat(featureStats.isEmpty())
                .as("idle ticks send full states, not figures")
                .isTrue();
    }

    @Test
    void unreadableCodesGoToTheDeadLetterTopic() {
        start(config(false));
        List<DocumentCodes> docs = SyntheticCodes.documents(1, 3, 8, 4);
        pipe(docs);
        codes.pipeInput("broken", new byte[] {'S', 'C', 1, 0, 99});
        codes.pipeInput("garbage", "{\"not\": \"codes\"}".getBytes());
        var letters = dlq.readKeyValuesToList();
        assertThat(letters).extracting(kv -> kv.key).containsExactly("broken", "garbage");
        JsonNode first = Json.MAPPER.valueToTree(Json.read(letters.get(0).value, Map.class));
        assertThat(first.get("stage").asText()).isEqualTo("catalog");
        assertThat(first.get("reason").asText()).isEqualTo("malformed-codes");
        assertThat(first.get("source").asText()).startsWith(Topics.CODES + "-0@");
    }
}
