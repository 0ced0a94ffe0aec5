package dev.saestream.produce;

import dev.saestream.corpus.DocumentIds;
import dev.saestream.corpus.LanguageFilter;
import dev.saestream.corpus.SourceItem;
import dev.saestream.formats.Json;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a source's documents to {@code saestream.texts} and its refusals to
 * {@code saestream.dlq}. Documents are keyed by id (given, else a content hash); a repeated id
 * within the input is refused. Counts only what Kafka acknowledged, so the summary is true.
 */
public final class TextProducer implements AutoCloseable {
    public static final String STAGE = "produce";

    /** Called after each input is handed to Kafka; cheap, for progress bars. */
    public interface Listener {
        void onInput(long read, long bytes);
    }

    private final Producer<String, byte[]> producer;
    private final String textsTopic;
    private final String dlqTopic;
    private BiPredicate<String, String> skip = (id, text) -> false;

    public TextProducer(Producer<String, byte[]> producer, String textsTopic, String dlqTopic) {
        this.producer = producer;
        this.textsTopic = textsTopic;
        this.dlqTopic = dlqTopic;
    }

    public TextProducer(Producer<String, byte[]> producer) {
        this(producer, Topics.TEXTS, Topics.DLQ);
    }

    /**
     * Leaves out documents for which {@code skip(id, text)} is true (taken in already), counting
     * them as skipped; a known id with a different text is still produced, for the encode stage
     * to dead-letter.
     */
    public TextProducer skipping(BiPredicate<String, String> skip) {
        this.skip = skip;
        return this;
    }

    /** An idempotent, compressing, batching producer for texts and dead letters. */
    public static KafkaProducer<String, byte[]> newProducer(Map<String, Object> clientConfig, ProduceConfig config) {
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchBytes());
        // a text may be up to maxBytes, and JSON escaping can grow it
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, 6 * config.maxBytes() + (1 << 16)));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Produces everything in {@code items}, waits for every acknowledgement and closes the stream. */
    public ProduceSummary produce(Stream<SourceItem> items, Listener listener) {
        return produce(items, listener, LanguageFilter.parse(LanguageFilter.ALL));
    }

    /** As above, for items filtered by {@code languages} (named in the summary). */
    public ProduceSummary produce(Stream<SourceItem> items, Listener listener, LanguageFilter languages) {
        AtomicLong produced = new AtomicLong();
        AtomicLong deadLettered = new AtomicLong();
        long skipped = 0;
        long otherLanguage = 0;
        AtomicLong bytes = new AtomicLong();
        Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long read = 0;
        long seenBytes = 0;
        DocumentIds ids = new DocumentIds();
        try (items) {
            for (Iterator<SourceItem> it = items.map(ids).iterator(); it.hasNext(); ) {
                SourceItem item = it.next();
                read++;
                if (failure.get() != null) {
                    break;
                }
                if (item instanceof SourceItem.OtherLanguage) {
                    otherLanguage++;
                } else if (item instanceof SourceItem.Read r
                        && skip.test(r.document().id(), r.document().text())) {
                    skipped++;
                } else if (item instanceof SourceItem.Read r) {
                    byte[] value = Json.write(r.document());
                    long textBytes = r.document().text().getBytes(StandardCharsets.UTF_8).length;
                    seenBytes += textBytes;
                    producer.send(new ProducerRecord<>(textsTopic, r.document().id(), value), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            produced.incrementAndGet();
                            bytes.addAndGet(textBytes);
                        }
                    });
                } else {
                    SourceItem.Refused f = (SourceItem.Refused) item;
                    DeadLetter letter =
                            DeadLetter.of(STAGE, f.reason(), f.detail(), f.location(), f.original(), f.size());
                    seenBytes += f.size();
                    producer.send(new ProducerRecord<>(dlqTopic, f.location(), Json.write(letter)), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            deadLettered.incrementAndGet();
                            reasons.computeIfAbsent(f.reason(), k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    });
                }
                if (listener != null) {
                    listener.onInput(read, seenBytes);
                }
            }
        } finally {
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "Kafka refused a record after " + read + " inputs ("
                            + produced.get() + " produced, " + deadLettered.get() + " dead-lettered): "
                            + failure.get().getMessage(),
                    failure.get());
        }
        Map<String, Long> byReason = new HashMap<>();
        reasons.forEach((k, v) -> byReason.put(k, v.get()));
        return new ProduceSummary(
                read,
                produced.get(),
                deadLettered.get(),
                bytes.get(),
                byReason,
                skipped,
                otherLanguage,
                languages.toString());
    }

    @Override
    public void close() {
        producer.close();
    }
}
