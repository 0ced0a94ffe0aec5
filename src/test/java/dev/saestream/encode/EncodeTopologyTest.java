package dev.saestream.encode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.corpus.Document;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import dev.saestream.sae.SparseCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class EncodeTopologyTest {
    /**
     * A stand-in encoder with the real one's contract: word tokens (punctuation is dropped), each firing a feature
     * by its length and one by its first letter; "NaN" makes activations non-finite.
     */
    static final class WordEncoder implements DocumentEncoder {
        private static final Pattern WORD = Pattern.compile("[\\w🙂]+", Pattern.UNICODE_CHARACTER_CLASS);

        @Override
        public String saeId() {
            return "words/len/2";
        }

        @Override
        public DocumentCodes encode(String docId, String text) throws EncodeException {
            List<String> tokens = new ArrayList<>();
            List<int[]> spans = new ArrayList<>();
            Matcher m = WORD.matcher(text);
            while (m.find()) {
                if (m.group().equals("NaN")) {
                    throw new EncodeException(EncodeException.NON_FINITE, "activation NaN at token " + tokens.size());
                }
                tokens.add(m.group().toLowerCase());
                spans.add(new int[] {m.start(), m.end()});
            }
            if (tokens.isEmpty()) {
                throw new EncodeException(EncodeException.EMPTY, "no tokens");
            }
            SparseCode[] codes = new SparseCode[tokens.size()];
            int[] starts = new int[tokens.size()];
            int[] ends = new int[tokens.size()];
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                int byLength = Math.min(t.length(), 20);
                int byLetter = 32 + (t.charAt(0) % 32);
                codes[i] = new SparseCode(new int[] {byLength, byLetter}, new float[] {t.length() * 0.5f, 0.25f});
                starts[i] = spans.get(i)[0];
                ends[i] = spans.get(i)[1];
            }
            return DocumentCodes.of(
                    saeId(),
                    docId,
                    text,
                    tokens.toArray(String[]::new),
                    starts,
                    ends,
                    codes,
                    new ReconstructionStats(tokens.size(), 0.5, 2.0, tokens.size() * 0.9, 0));
        }
    }

    @Test
    void everyTextIsEncodedOrDeadLetteredWithItsReason() throws Exception {
        EncodeConfig config = new EncodeConfig("encode-test", CodesFormat.Precision.HALF, 6, 1, 1_000, "", "unused", 8);
        EncodeCounters counters = new EncodeCounters();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        WordEncoder encoder = new WordEncoder();
        try (TopologyTestDriver driver = new TopologyTestDriver(EncodeTopology.build(encoder, config, counters), p)) {
            var texts = driver.createInputTopic(Topics.TEXTS, new StringSerializer(), new ByteArraySerializer());
            var codes = driver.createOutputTopic(Topics.CODES, new StringDeserializer(), new ByteArrayDeserializer());
            var dlq = driver.createOutputTopic(Topics.DLQ, new StringDeserializer(), new ByteArrayDeserializer());
            Map<String, String> good = Map.of("a", "Hello  wide\tworld", "b", "Naïve café 🙂 ok", "c", "one");
            good.forEach((id, text) -> texts.pipeInput(id, Json.write(new Document(id, text, null, null, null))));
            texts.pipeInput("bad-json", "{not json".getBytes(StandardCharsets.UTF_8));
            texts.pipeInput("blank", Json.write(new Document("blank", "   ", null, null, null)));
            texts.pipeInput("long", Json.write(new Document("long", "a b c d e f g", null, null, null)));
            texts.pipeInput("nan", Json.write(new Document("nan", "this is NaN here", null, null, null)));
            texts.pipeInput("punct", Json.write(new Document("punct", "?! …", null, null, null)));
            // the same document again, and its id with another text
            texts.pipeInput("a", Json.write(new Document("a", good.get("a"), null, null, null)));
            texts.pipeInput("b", Json.write(new Document("b", "a different text", null, null, null)));

            List<KeyValue<String, byte[]>> encoded = codes.readKeyValuesToList();
            List<KeyValue<String, byte[]>> letters = dlq.readKeyValuesToList();
            assertThat(encoded.size() + letters.size()).isEqualTo(10);
            assertThat(counters.read.get()).isEqualTo(10);
            assertThat(counters.encoded.get()).isEqualTo(3);
            assertThat(counters.deadLettered.get()).isEqualTo(7);
            for (KeyValue<String, byte[]> kv : encoded) {
                DocumentCodes got = CodesFormat.read(kv.value);
                DocumentCodes want = encoder.encode(kv.key, good.get(kv.key));
                assertThat(got).isEqualTo(want);
                assertThat(got.text()).isEqualTo(good.get(kv.key));
            }
            List<String> reasons = new ArrayList<>();
            for (KeyValue<String, byte[]> kv : letters) {
                JsonNode n = Json.MAPPER.readTree(kv.value);
                assertThat(n.get("stage").asText()).isEqualTo("encode");
                assertThat(n.get("source").asText()).startsWith(Topics.TEXTS + "-0@");
                reasons.add(kv.key + "=" + n.get("reason").asText());
            }
            assertThat(reasons)
                    .containsExactly(
                            "bad-json=malformed-text",
                            "blank=empty-text",
                            "long=" + EncodeException.TOO_LONG,
                            "nan=" + EncodeException.NON_FINITE,
                            "punct=" + EncodeException.EMPTY,
                            "a=" + EncodeTopology.DUPLICATE,
                            "b=" + EncodeTopology.ID_REUSED);
        }
    }

    @Test
    void codesCarryTheConfiguredMetadataFieldAndNothingElseOfTheMeta() throws Exception {
        // given documents with and without meta.lang, encoded with encode.facet lang and with none
        Map<String, Document> docs = new java.util.LinkedHashMap<>();
        docs.put("sv", new Document("sv", "Hej du", null, null, Map.of("lang", "sv", "title", "long title")));
        docs.put("num", new Document("num", "one two", null, null, Map.of("lang", 7)));
        docs.put("none", new Document("none", "no meta", null, null, null));
        for (String facet : List.of("lang", "")) {
            EncodeConfig d =
                    new EncodeConfig("encode-facet", CodesFormat.Precision.HALF, 100, 1, 1_000, "", "unused", 8);
            EncodeConfig config = new EncodeConfig(
                    d.applicationId(),
                    d.precision(),
                    d.maxTokens(),
                    d.threads(),
                    d.commitIntervalMs(),
                    d.saeId(),
                    d.sae(),
                    d.kMax(),
                    facet);
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            WordEncoder encoder = new WordEncoder();
            try (TopologyTestDriver driver =
                    new TopologyTestDriver(EncodeTopology.build(encoder, config, new EncodeCounters()), p)) {
                var texts = driver.createInputTopic(Topics.TEXTS, new StringSerializer(), new ByteArraySerializer());
                var codes =
                        driver.createOutputTopic(Topics.CODES, new StringDeserializer(), new ByteArrayDeserializer());

                // when
                docs.forEach((id, doc) -> texts.pipeInput(id, Json.write(doc)));

                // then each record carries the field's value (or nothing), and is otherwise the encoder's codes
                Map<String, DocumentCodes> got = new HashMap<>();
                codes.readKeyValuesToList().forEach(kv -> got.put(kv.key, CodesFormat.read(kv.value)));
                Map<String, String> expected = facet.isEmpty() ? new HashMap<>() : Map.of("sv", "sv", "num", "7");
                for (Map.Entry<String, Document> e : docs.entrySet()) {
                    DocumentCodes c = got.get(e.getKey());
                    assertThat(c.facetValue()).as(facet + "/" + e.getKey()).isEqualTo(expected.get(e.getKey()));
                    assertThat(c.facetField()).isEqualTo(expected.containsKey(e.getKey()) ? "lang" : null);
                    assertThat(c.withFacet(null, null))
                            .isEqualTo(encoder.encode(e.getKey(), e.getValue().text()));
                }
            }
        }
    }

    @Test
    void severalSaesInOnePassWriteOneCodesRecordEachForADocumentCountedOnce() throws Exception {
        // given an encoder with two SAEs: the word encoder's codes, and the same under a second id
        WordEncoder words = new WordEncoder();
        DocumentEncoder two = new DocumentEncoder() {
            @Override
            public String saeId() {
                return words.saeId();
            }

            @Override
            public DocumentCodes encode(String docId, String text) throws EncodeException {
                return words.encode(docId, text);
            }

            @Override
            public List<String> saeIds() {
                return List.of(words.saeId(), "words/second/2");
            }

            @Override
            public List<DocumentCodes> encodeAll(String docId, String text) throws EncodeException {
                DocumentCodes a = words.encode(docId, text);
                return List.of(
                        a,
                        new DocumentCodes(
                                "words/second/2",
                                a.docId(),
                                a.tokens(),
                                a.pieces(),
                                a.gaps(),
                                a.tail(),
                                a.codes(),
                                a.stats()));
            }
        };
        EncodeConfig config = new EncodeConfig("encode-two", CodesFormat.Precision.HALF, 6, 1, 1_000, "", "unused", 8);
        EncodeCounters counters = new EncodeCounters();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(EncodeTopology.build(two, config, counters), p)) {
            var texts = driver.createInputTopic(Topics.TEXTS, new StringSerializer(), new ByteArraySerializer());
            var codes = driver.createOutputTopic(Topics.CODES, new StringDeserializer(), new ByteArrayDeserializer());
            // when: one good document, one bad, and the good one again
            texts.pipeInput("a", Json.write(new Document("a", "Hello wide world", null, null, null)));
            texts.pipeInput("nan", Json.write(new Document("nan", "this is NaN here", null, null, null)));
            texts.pipeInput("a", Json.write(new Document("a", "Hello wide world", null, null, null)));
            // then: the good document once per SAE, counted as one document and its tokens once
            List<KeyValue<String, byte[]>> encoded = codes.readKeyValuesToList();
            assertThat(encoded)
                    .extracting(kv -> CodesFormat.read(kv.value).saeId())
                    .containsExactly("words/len/2", "words/second/2");
            assertThat(counters.read.get()).isEqualTo(3);
            assertThat(counters.encoded.get()).isEqualTo(1);
            assertThat(counters.tokens.get()).isEqualTo(3);
            assertThat(counters.deadLettered.get()).isEqualTo(2);
        }
    }
}
