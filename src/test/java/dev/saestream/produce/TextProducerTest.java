package dev.saestream.produce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.LanguageFilter;
import dev.saestream.corpus.Languages;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextFormat;
import dev.saestream.corpus.TextSources;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TestKafka;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextProducerTest {
    @TempDir
    Path dir;

    private record Topics(String texts, String dlq) {}

    private static Topics newTopics() throws Exception {
        Topics t = new Topics(TestKafka.unique("texts"), TestKafka.unique("dlq"));
        try (Admin admin = TestKafka.admin()) {
            new TopicAdmin(admin)
                    .create(List.of(
                            new TopicSpec(t.texts(), 4, (short) 1, "delete", -1, null, null, null, null, null),
                            new TopicSpec(t.dlq(), 1, (short) 1, "delete", -1, null, null, null, null, null)));
        }
        return t;
    }

    private static ProduceSummary produce(Topics t, Stream<SourceItem> items) {
        try (TextProducer p = new TextProducer(
                TextProducer.newProducer(
                        Map.of("bootstrap.servers", TestKafka.bootstrapServers()), ProduceConfig.defaults()),
                t.texts(),
                t.dlq())) {
            return p.produce(items, null);
        }
    }

    static List<ConsumerRecord<String, byte[]>> consume(String topic, long expected) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        TestKafka.bootstrapServers(),
                        "group.id",
                        TestKafka.unique("read"),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            // one more poll: anything beyond the expected count would be a duplicate
            consumer.poll(Duration.ofMillis(500)).forEach(got::add);
        }
        return got;
    }

    @Test
    void producedTextsComeBackByteIdenticalAndExactlyOnce() throws Exception {
        Topics t = newTopics();
        Path jsonl = dir.resolve("special.jsonl");
        List<String> special = List.of(
                "emoji 🙂🚀 and CJK 日本語のテキスト",
                "tabs\tand\r\nnewlines\n",
                "Ünïcödé \u0000 nul",
                "\"quoted\" \\ backslash");
        Files.writeString(
                jsonl,
                special.stream().map(s -> Json.writeString(Map.of("text", s))).collect(Collectors.joining("\n")));
        Map<String, String> expected = new LinkedHashMap<>();
        try (Stream<SourceItem> europarl = TextSources.europarl(300, SourceOptions.defaults())) {
            europarl.forEach(i -> expected.put(
                    ((SourceItem.Read) i).document().id(),
                    ((SourceItem.Read) i).document().text()));
        }
        ProduceSummary summary = produce(
                t,
                Stream.concat(
                        TextSources.europarl(300, SourceOptions.defaults()),
                        TextSources.file(jsonl, SourceOptions.defaults())));
        assertThat(summary.read()).isEqualTo(304);
        assertThat(summary.produced()).isEqualTo(304);
        assertThat(summary.deadLettered()).isZero();

        List<ConsumerRecord<String, byte[]>> records = consume(t.texts(), 304);
        assertThat(records).hasSize(304);
        Map<String, String> got = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Document d = Json.read(r.value(), Document.class);
            assertThat(d.id()).isEqualTo(r.key());
            got.put(r.key(), d.text());
        }
        expected.forEach((id, text) -> assertThat(got.get(id).getBytes(StandardCharsets.UTF_8))
                .isEqualTo(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(got.values()).containsAll(special);
    }

    @Test
    void documentsInOtherLanguagesAreCountedAndNotProduced() throws Exception {
        // given the bundled corpus filtered to English, limited to 4 documents kept
        Topics t = newTopics();
        LanguageFilter english = LanguageFilter.parse("en");

        // when
        ProduceSummary summary;
        try (TextProducer p = new TextProducer(
                TextProducer.newProducer(
                        Map.of("bootstrap.servers", TestKafka.bootstrapServers()), ProduceConfig.defaults()),
                t.texts(),
                t.dlq())) {
            summary = p.produce(
                    TextSources.europarl(4, SourceOptions.defaults(), Languages.shared(), english), null, english);
        }

        // then only English documents are on the topic, with meta.lang, and the rest are counted as left out
        List<ConsumerRecord<String, byte[]>> records = consume(t.texts(), 4);
        assertThat(records).hasSize(4);
        for (ConsumerRecord<String, byte[]> r : records) {
            assertThat(Json.read(r.value(), Document.class).meta()).containsEntry("lang", "en");
        }
        assertThat(summary.produced()).isEqualTo(4);
        assertThat(summary.read()).isEqualTo(summary.produced() + summary.otherLanguage());
        assertThat(summary.otherLanguage()).isPositive();
        assertThat(summary.line())
                .contains("left out " + summary.otherLanguage() + " not in en (kept 4 of " + summary.read() + ")");
    }

    @Test
    void badInputGoesToTheDeadLetterTopicWithReasonAndLocation() throws Exception {
        Topics t = newTopics();
        Files.writeString(dir.resolve("good.txt"), "A perfectly fine document.");
        Files.writeString(dir.resolve("empty.txt"), "");
        Files.writeString(dir.resolve("blank.txt"), " \n\t ");
        Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Files.writeString(dir.resolve("huge.txt"), "y".repeat(2_000_000));
        Files.writeString(
                dir.resolve("docs.jsonl"),
                String.join(
                        "\n",
                        "{\"id\": \"one\", \"text\": \"first\"}",
                        "{\"id\": \"two\", \"text\": \"second\"",
                        "{\"id\": \"three\"}",
                        "{\"id\": \"four\", \"text\": [\"not\", \"a\", \"string\"]}",
                        "{\"id\": \"one\", \"text\": \"a repeat of id one\"}",
                        "{\"id\": \"five\", \"text\": \"fifth\"}"));
        ProduceSummary summary = produce(t, TextSources.paths(List.of(dir), SourceOptions.defaults()));

        assertThat(summary.read()).isEqualTo(11);
        assertThat(summary.produced()).isEqualTo(3);
        assertThat(summary.deadLettered()).isEqualTo(8);
        assertThat(summary.read()).isEqualTo(summary.produced() + summary.deadLettered());
        assertThat(summary.reasons())
                .isEqualTo(Map.of(
                        "empty-text",
                        2L,
                        "invalid-utf8",
                        1L,
                        "too-large",
                        1L,
                        "malformed-json",
                        1L,
                        "missing-text",
                        1L,
                        "text-not-string",
                        1L,
                        "duplicate-id",
                        1L));

        List<ConsumerRecord<String, byte[]>> letters = consume(t.dlq(), 8);
        assertThat(letters).hasSize(8);
        Map<String, JsonNode> bySource = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : letters) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            assertThat(n.get("stage").asText()).isEqualTo("produce");
            bySource.put(n.get("source").asText(), n);
        }
        assertThat(bySource.get(dir.resolve("docs.jsonl") + ":2").get("reason").asText())
                .isEqualTo("malformed-json");
        assertThat(bySource.get(dir.resolve("docs.jsonl") + ":5").get("reason").asText())
                .isEqualTo("duplicate-id");
        assertThat(bySource.get(dir.resolve("docs.jsonl") + ":5")
                        .get("original")
                        .asText())
                .isEqualTo("a repeat of id one");
        JsonNode huge = bySource.get(dir.resolve("huge.txt").toString());
        assertThat(huge.get("reason").asText()).isEqualTo("too-large");
        assertThat(huge.get("originalBytes").asLong()).isEqualTo(2_000_000);
        assertThat(huge.get("original").asText()).hasSize(4096);
        assertThat(bySource.get(dir.resolve("latin1.txt").toString())
                        .get("detail")
                        .asText())
                .contains("byte 3");

        List<ConsumerRecord<String, byte[]>> texts = consume(t.texts(), 3);
        assertThat(texts)
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(
                        "one", "five", dev.saestream.corpus.DocumentIds.contentHash("A perfectly fine document."));
    }

    @Test
    void reproducingTheSameInputGivesTheSameKeys() throws Exception {
        Topics t = newTopics();
        Path f = dir.resolve("lines.txt");
        Files.writeString(f, "alpha\nbeta\ngamma\n");
        SourceOptions perLine = new SourceOptions(TextFormat.TEXT, true, 1 << 20);
        produce(t, TextSources.file(f, perLine));
        produce(t, TextSources.file(f, perLine));
        List<ConsumerRecord<String, byte[]>> texts = consume(t.texts(), 6);
        assertThat(texts).hasSize(6);
        assertThat(texts.stream().map(ConsumerRecord::key).distinct().count()).isEqualTo(3);
    }
}
