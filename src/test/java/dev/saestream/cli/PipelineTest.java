package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.BatchCatalog;
import dev.saestream.catalog.CatalogAssertions;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.encode.EncodeTopology;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.Topics;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.produce.TextProducer;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.TestSaes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a real broker with the real transformer: texts in, good and bad; every
 * one is encoded or dead-lettered; the catalogue equals the batch reference over the codes the
 * encode stage wrote.
 */
class PipelineTest {
    @TempDir
    Path dir;

    @Test
    void textsInEqualCodesOutPlusDeadLettersAndTheCatalogueIsExact() throws Exception {
        Path saeDir = dir.resolve("sae");
        TestSaes.random(Architecture.TOPK, 384, 256, 8, 7).save(saeDir);
        Path input = dir.resolve("in.jsonl");
        Files.writeString(
                input,
                String.join(
                        "\n",
                        "{\"id\": \"punctuation\", \"text\": \"\\u200b\"}",
                        "{\"id\": \"fine\", \"text\": \"A short English sentence about the budget.\"}"));
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()))) {
            ClusterConfig cluster = new ClusterConfig(broker.bootstrapServers(), "topics", 0, Map.of());
            try (KafkaSession session = KafkaSession.connect(cluster, BrokerConfig.defaults());
                    Admin admin = session.admin()) {
                session.createTopics();
                ModelConfig model = ModelConfig.defaults();
                EncodeConfig ec = new EncodeConfig(
                        "pipeline-encode", CodesFormat.Precision.HALF, 100_000, 2, 500, "", saeDir.toString(), 64);
                CatalogConfig d = CatalogConfig.defaults();
                CatalogConfig cc = d.withApplicationId("pipeline-catalog")
                        .withSamples(5, 3, 4, 8)
                        .withBackground(20, 16)
                        .withShards(0)
                        .withEmission(1_000, 1_000, 1.0, 0.2)
                        .withIntervals(500, 500)
                        .withState(true, dir.resolve("state").toString());
                try (Pipeline pipeline = Pipeline.start(session, model, ec, cc, 1)) {
                    ProduceSummary europarl = produce(session, TextSources.europarl(30, SourceOptions.defaults()));
                    ProduceSummary jsonl = produce(session, TextSources.file(input, SourceOptions.defaults()));
                    // the same documents again: the catalogue must count them once
                    ProduceSummary again = produce(session, TextSources.europarl(3, SourceOptions.defaults()));
                    long produced = europarl.produced() + jsonl.produced() + again.produced();
                    pipeline.awaitCaughtUp(admin, Duration.ofMinutes(5), () -> {});

                    EncodeCounters c = pipeline.encode().counters();
                    assertThat(c.read.get()).isEqualTo(produced).isEqualTo(35);
                    assertThat(c.encoded.get() + c.deadLettered.get()).isEqualTo(c.read.get());
                    Map<String, String> reasons = new HashMap<>();
                    readAll(broker.bootstrapServers(), Topics.DLQ).forEach(v -> {
                        JsonNode n = Json.MAPPER.valueToTree(Json.read(v, Map.class));
                        reasons.merge(n.get("reason").asText(), "x", String::concat);
                    });
                    assertThat(reasons).containsOnlyKeys(EncodeTopology.DUPLICATE, "empty-after-tokenizing");
                    assertThat(reasons.get(EncodeTopology.DUPLICATE)).hasSize(3);
                    assertThat(c.deadLettered.get()).isEqualTo(4);
                    assertThat(c.deadLetterReasons())
                            .isEqualTo(Map.of(EncodeTopology.DUPLICATE, 3L, "empty-after-tokenizing", 1L));

                    List<DocumentCodes> codes = new ArrayList<>();
                    readAll(broker.bootstrapServers(), Topics.CODES).forEach(v -> codes.add(CodesFormat.read(v)));
                    assertThat(codes).hasSize((int) c.encoded.get());
                    assertThat(codes.stream().mapToLong(DocumentCodes::size).sum())
                            .isEqualTo(c.tokens.get());
                    String sae = pipeline.encoder().saeId();
                    // settled: the queries show every document at once, and every feature's current state is out
                    pipeline.awaitSettled(Duration.ofMinutes(2), () -> {});
                    assertThat(pipeline.catalog().queries().totals(sae).documents())
                            .isEqualTo(codes.size());
                    BatchCatalog reference = new BatchCatalog(codes, cc);
                    CatalogAssertions.matchesReference(pipeline.catalog().queries(), sae, reference, cc);
                    Map<String, Long> current = new HashMap<>();
                    reference
                            .featureIndexes()
                            .forEach(f -> current.put(
                                    FeatureKey.of(sae, f),
                                    pipeline.catalog()
                                            .queries()
                                            .feature(sae, f)
                                            .orElseThrow()
                                            .version()));
                    assertThat(latestEmitted(broker.bootstrapServers(), current))
                            .isEqualTo(current);
                }
            }
        }
    }

    private static ProduceSummary produce(
            KafkaSession session, java.util.stream.Stream<dev.saestream.corpus.SourceItem> items) {
        try (TextProducer p =
                new TextProducer(TextProducer.newProducer(session.clientConfig(), ProduceConfig.defaults()))) {
            return p.produce(items, null);
        }
    }

    /** The latest version of each feature on saestream.features, read until it reaches {@code expected} or 60 s pass. */
    private static Map<String, Long> latestEmitted(String bootstrap, Map<String, Long> expected) {
        Map<String, Long> latest = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!latest.equals(expected) && System.nanoTime() < deadline) {
            // a tick's emissions become readable when its transaction commits, within a commit interval
            latest.clear();
            readAll(bootstrap, Topics.FEATURES).forEach(v -> {
                FeatureState st = Json.read(v, FeatureState.class);
                latest.merge(st.key(), st.version(), Math::max);
            });
        }
        return latest;
    }

    static List<byte[]> readAll(String bootstrap, String topic) {
        List<byte[]> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        bootstrap,
                        "group.id",
                        "reader-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            int empty = 0;
            while (empty < 5) {
                var records = consumer.poll(Duration.ofMillis(300));
                empty = records.isEmpty() ? empty + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
