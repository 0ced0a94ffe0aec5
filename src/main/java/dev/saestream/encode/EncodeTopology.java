package dev.saestream.encode;

import dev.saestream.corpus.Document;
import dev.saestream.corpus.DocumentIds;
import dev.saestream.formats.Json;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.kafka.InternalTopics;
import dev.saestream.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The encode stage as a Kafka Streams topology: {@code saestream.texts} → tokenize, transformer to
 * the hook, SAE encode → {@code saestream.codes}; texts that cannot be read or encoded →
 * {@code saestream.dlq}. One document per record, so exactly-once needs no buffering.
 *
 * <p>A document id is encoded once: the catalogue adds every codes record it gets, so a text
 * produced again (the same input run twice) is dead-lettered as a duplicate instead of being
 * counted twice. The ids seen live in a changelogged RocksDB store, on disk.
 */
public final class EncodeTopology {
    public static final String STAGE = "encode";
    /** Document ids already encoded, with a hash of their text. */
    public static final String DOCUMENTS_STORE = "encode-documents";

    public static final String DUPLICATE = "duplicate-document";
    public static final String ID_REUSED = "document-id-reused";

    private EncodeTopology() {}

    public static Topology build(DocumentEncoder encoder, EncodeConfig config, EncodeCounters counters) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DOCUMENTS_STORE), Serdes.String(), Serdes.Long())
                .withLoggingEnabled(InternalTopics.CHANGELOG));
        builder.stream(
                        Topics.TEXTS,
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("texts-source"))
                .processValues(
                        () -> new EncodeProcessor(encoder, config, counters), Named.as("encode"), DOCUMENTS_STORE)
                .to(
                        (id, out, context) -> out.topic(),
                        Produced.with(Serdes.String(), EncodeOutput.SERDE).withName("encode-sink"));
        return builder.build();
    }

    /** Encodes one document per record; its output is a codes record per SAE, or a dead letter. */
    static final class EncodeProcessor implements FixedKeyProcessor<String, byte[], EncodeOutput> {
        private final DocumentEncoder encoder;
        private final EncodeConfig config;
        private final EncodeCounters counters;
        private FixedKeyProcessorContext<String, EncodeOutput> context;
        private KeyValueStore<String, Long> seen;

        EncodeProcessor(DocumentEncoder encoder, EncodeConfig config, EncodeCounters counters) {
            this.encoder = encoder;
            this.config = config;
            this.counters = counters;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, EncodeOutput> context) {
            this.context = context;
            this.seen = context.getStateStore(DOCUMENTS_STORE);
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            counters.read.incrementAndGet();
            Document doc;
            try {
                doc = Json.read(record.value(), Document.class);
                if (doc.text().isBlank()) {
                    deadLetter(record, "empty-text", "the text is empty or only whitespace");
                    return;
                }
            } catch (RuntimeException e) {
                deadLetter(record, "malformed-text", "not a saestream.texts document: " + e.getMessage());
                return;
            }
            String id = doc.id() != null ? doc.id() : record.key();
            if (id == null) {
                deadLetter(record, "missing-id", "the record has neither a key nor an id");
                return;
            }
            // 64 bits of SHA-256: enough to tell a repeat from a different text under the same id
            long textHash = DocumentIds.hash64(doc.text());
            Long before = seen.get(id);
            if (before != null) {
                if (before == textHash) {
                    deadLetter(
                            record, DUPLICATE, "document " + id + " was already encoded; the catalogue counts it once");
                } else {
                    deadLetter(
                            record,
                            ID_REUSED,
                            "document id " + id + " was already encoded with a different text;"
                                    + " give the new text a new id");
                }
                return;
            }
            try {
                long start = System.nanoTime();
                List<DocumentCodes> all = encoder.encodeAll(id, doc.text());
                counters.encodeNanos.addAndGet(System.nanoTime() - start);
                int tokens = all.get(0).size();
                if (config.maxTokens() > 0 && tokens > config.maxTokens()) {
                    throw new EncodeException(
                            EncodeException.TOO_LONG, tokens + " tokens, over the cap of " + config.maxTokens());
                }
                // several SAEs in one pass: one codes record each, written in the same transaction
                List<byte[]> records = new ArrayList<>(all.size());
                String facetValue = facetValue(doc, config.facet());
                for (DocumentCodes codes : all) {
                    DocumentCodes carried =
                            config.facet().isEmpty() ? codes : codes.withFacet(config.facet(), facetValue);
                    records.add(CodesFormat.write(carried, config.precision()));
                }
                counters.encoded.incrementAndGet();
                counters.tokens.addAndGet(tokens);
                seen.put(id, textHash);
                for (byte[] bytes : records) {
                    counters.codeBytes.addAndGet(bytes.length);
                    context.forward(record.withValue(new EncodeOutput.Codes(bytes)));
                }
            } catch (EncodeException e) {
                deadLetter(record, e.reason(), e.getMessage());
            }
        }

        /** The document's value of {@code field} as text (a JSON number or boolean as it is written), or null. */
        static String facetValue(Document doc, String field) {
            Object v = field.isEmpty() || doc.meta() == null ? null : doc.meta().get(field);
            return v == null || v instanceof java.util.Map || v instanceof java.util.List ? null : v.toString();
        }

        private void deadLetter(FixedKeyRecord<String, byte[]> record, String reason, String detail) {
            String source = context.recordMetadata()
                    .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                    .orElse("unknown");
            DeadLetter letter =
                    DeadLetter.of(STAGE, reason, detail, source, record.value() == null ? new byte[0] : record.value());
            counters.deadLettered(reason);
            context.forward(record.withValue(new EncodeOutput.DeadLettered(Json.write(letter))));
        }
    }
}
