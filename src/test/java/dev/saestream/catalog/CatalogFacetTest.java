package dev.saestream.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import dev.saestream.sae.SparseCode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogFacetTest {
    private static final List<String> LANGS = List.of("en", "sv", "de", "fr", "nl", "da");

    @TempDir
    Path stateDir;

    /** Synthetic codes, each document in one of six languages (or none, or another field), in a seeded order. */
    private static List<DocumentCodes> documents() {
        Random rnd = new Random(11);
        List<DocumentCodes> out = new ArrayList<>();
        for (DocumentCodes d : SyntheticCodes.documents(5, 240, 48, 10)) {
            int pick = rnd.nextInt(LANGS.size() + 2);
            out.add(
                    pick < LANGS.size()
                            ? d.withFacet("lang", LANGS.get(pick))
                            : pick == LANGS.size() ? d : d.withFacet("source", "web"));
        }
        return out;
    }

    /**
     * The facet by brute force over the codes as the catalogue reads them, documents in order: a
     * feature's first {@code n} values met exactly, later new ones under "other"; documents without
     * a lang value under "none".
     */
    private static Map<Integer, Map<String, Long>> bruteForce(List<DocumentCodes> docs, int n) {
        Map<Integer, Map<String, Long>> kept = new HashMap<>();
        Map<Integer, Long> other = new HashMap<>();
        for (DocumentCodes written : docs) {
            DocumentCodes d = CodesFormat.read(CodesFormat.write(written, CodesFormat.Precision.HALF));
            String value = "lang".equals(d.facetField()) ? d.facetValue() : FeatureState.Facet.MISSING;
            Map<Integer, Long> tokens = new TreeMap<>();
            for (SparseCode c : d.codes()) {
                for (int f : c.indices()) {
                    tokens.merge(f, 1L, Long::sum);
                }
            }
            tokens.forEach((f, count) -> {
                Map<String, Long> m = kept.computeIfAbsent(f, x -> new LinkedHashMap<>());
                if (m.containsKey(value) || m.size() < n) {
                    m.merge(value, count, Long::sum);
                } else {
                    other.merge(f, count, Long::sum);
                }
            });
        }
        other.forEach((f, count) -> kept.get(f).merge(FeatureState.Facet.OTHER, count, Long::sum));
        return kept;
    }

    private TopologyTestDriver driver(CatalogConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new TopologyTestDriver(
                CatalogTopology.build(config, config.shards(), new CatalogCounters()),
                p,
                Instant.ofEpochMilli(1_000_000));
    }

    private Map<Integer, FeatureState> catalogue(List<DocumentCodes> docs, CatalogConfig config) {
        try (TopologyTestDriver driver = driver(config)) {
            var codes = driver.createInputTopic(Topics.CODES, new StringSerializer(), new ByteArraySerializer());
            var features =
                    driver.createOutputTopic(Topics.FEATURES, new StringDeserializer(), new ByteArrayDeserializer());
            for (DocumentCodes d : docs) {
                codes.pipeInput(d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF));
            }
            driver.advanceWallClockTime(Duration.ofMillis(2 * config.checkpointMs()));
            Map<Integer, FeatureState> latest = new HashMap<>();
            features.readKeyValuesToList().forEach(kv -> {
                FeatureState s = Json.read(kv.value, FeatureState.class);
                latest.put(s.index(), s);
            });
            return latest;
        }
    }

    private static CatalogConfig withFacet(String field, int values) {
        CatalogConfig d = CatalogTopologyTest.config(false);
        return d.withFacet(field, values);
    }

    @Test
    void facetCountsEqualABruteForceCountOverTheCodes() {
        // given documents in six languages, some without one, and a facet bounded to four values
        List<DocumentCodes> docs = documents();
        CatalogConfig config = withFacet("lang", 4);

        // when they are catalogued
        Map<Integer, FeatureState> got = catalogue(docs, config);

        // then every feature's counts are exactly the brute-force ones, and add up to its activations
        Map<Integer, Map<String, Long>> expected = bruteForce(docs, 4);
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        boolean someOther = false;
        for (Map.Entry<Integer, FeatureState> e : got.entrySet()) {
            FeatureState.Facet facet = e.getValue().facet();
            assertThat(facet.field()).isEqualTo("lang");
            assertThat(facet.counts()).as("facet of %d", e.getKey()).isEqualTo(expected.get(e.getKey()));
            assertThat(facet.counts().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isEqualTo(e.getValue().activations());
            assertThat(facet.counts().keySet().stream().filter(k -> !k.equals(FeatureState.Facet.OTHER)))
                    .hasSizeLessThanOrEqualTo(4);
            someOther |= facet.counts().containsKey(FeatureState.Facet.OTHER);
        }
        // the bound was reached, so "other" was exercised
        assertThat(someOther).isTrue();
    }

    @Test
    void backgroundWindowsCarryTheirDocumentsFacetValue() {
        // given documents in six languages, some without one or with another field
        List<DocumentCodes> docs = documents();
        Map<String, String> expected = new HashMap<>();
        docs.forEach(d -> expected.put(d.docId(), "lang".equals(d.facetField()) ? d.facetValue() : null));
        List<BackgroundWindow> got = new ArrayList<>();
        try (TopologyTestDriver driver = driver(withFacet("lang", 4))) {
            var codes = driver.createInputTopic(Topics.CODES, new StringSerializer(), new ByteArraySerializer());
            var background =
                    driver.createOutputTopic(Topics.BACKGROUND, new StringDeserializer(), new ByteArrayDeserializer());
            for (DocumentCodes d : docs) {
                codes.pipeInput(d.docId(), CodesFormat.write(d, CodesFormat.Precision.HALF));
            }
            background.readValuesToList().stream()
                    .filter(v -> v != null)
                    .forEach(v -> got.add(Json.read(v, BackgroundWindow.class)));
        }
        // then each window says its document's value, and none for a document without one
        assertThat(got).isNotEmpty();
        for (BackgroundWindow w : got) {
            assertThat(w.facet()).as(w.id()).isEqualTo(expected.get(w.doc()));
        }
        assertThat(got).anyMatch(w -> w.facet() == null).anyMatch(w -> "sv".equals(w.facet()));
        // and the stored form keeps it, or its absence
        for (BackgroundWindow w : List.of(got.get(0).withFacet("sv"), got.get(0).withFacet(null))) {
            assertThat(CatalogFormats.readBackground(CatalogFormats.writeBackground(w)))
                    .isEqualTo(w);
        }
    }

    @Test
    void theFacetIsShownMostActivationsFirstWithOtherLast() {
        Map<Integer, FeatureState> got = catalogue(documents(), withFacet("lang", 3));
        for (FeatureState s : got.values()) {
            List<Map.Entry<String, Long>> entries =
                    new ArrayList<>(s.facet().counts().entrySet());
            for (int i = 1; i < entries.size(); i++) {
                if (entries.get(i).getKey().equals(FeatureState.Facet.OTHER)) {
                    assertThat(i).isEqualTo(entries.size() - 1);
                } else {
                    assertThat(entries.get(i).getValue())
                            .isLessThanOrEqualTo(entries.get(i - 1).getValue());
                }
            }
        }
    }

    @Test
    void withoutAFacetFieldThereIsNoFacet() {
        Map<Integer, FeatureState> got = catalogue(documents(), withFacet("", 4));
        assertThat(got).isNotEmpty();
        assertThat(got.values()).allMatch(s -> s.facet() == null);
    }

    @Test
    void statisticsWithAFacetReadBackAsWritten() {
        // given statistics with a full facet and an "other"
        FeatureStats st = new FeatureStats();
        st.countFacet("lang", "sv", 5, 2);
        st.countFacet("lang", null, 3, 2);
        st.countFacet("lang", "de", 4, 2);
        st.countFacet("lang", "sv", 1, 2);

        // when written and read back
        FeatureStats back = FeatureStats.read(st.write());

        // then
        assertThat(back.facetState())
                .isEqualTo(new FeatureState.Facet("lang", Map.of("sv", 6L, "none", 3L, "other", 4L)));
        assertThat(new ArrayList<>(back.facetState().counts().keySet())).containsExactly("sv", "none", "other");
        assertThat(new FeatureStats().facetState()).isNull();
    }
}
