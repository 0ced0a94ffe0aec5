package dev.saestream.catalog;

import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.formats.Json;
import dev.saestream.kafka.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * First step of the catalog, partitioned by document: scans each document's codes once and sends
 * one {@link ShardDelta} per shard, so what crosses the repartition topic is a few records per
 * document rather than one per (token, feature) pair. Output keys are the shard (an Integer) for
 * deltas, and the original key (a String) for records that cannot be read, bound for the
 * dead-letter topic.
 */
final class DocumentSharder implements Processor<String, byte[], ScanKey, byte[]> {
    static final String STAGE = "catalog";

    private final CatalogConfig config;
    private final CatalogScope scope;
    private final int shards;
    private final CatalogCounters counters;
    private ProcessorContext<ScanKey, byte[]> context;
    private DocumentScan scan;
    private LocalFilters filters;

    DocumentSharder(CatalogConfig config, CatalogScope scope, int shards, CatalogCounters counters) {
        this.config = config;
        this.scope = scope;
        this.shards = shards;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<ScanKey, byte[]> context) {
        this.context = context;
        this.scan = new DocumentScan(config);
        // fresh on every (re)initialisation: see LocalFilters
        this.filters = new LocalFilters(config.topK(), config.reservoirSize(), config.backgroundSize());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        DocumentCodes doc;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("the record has no value");
            }
            doc = CodesFormat.read(record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        if (!scope.includes(doc.saeId())) {
            // another SAE's codes: another catalog application's work
            counters.otherSae.incrementAndGet();
            return;
        }
        if (!scope.idOf(doc.saeId()).equals(doc.saeId())) {
            doc = doc.withSaeId(scope.idOf(doc.saeId()));
        }
        counters.documents.incrementAndGet();
        for (ShardDelta d : deltas(doc)) {
            counters.shardRecords.incrementAndGet();
            d.features()
                    .forEach(f -> counters.candidates.addAndGet(f.candidates().size()));
            context.forward(
                    new Record<>(new ScanKey.ToShard(d.shard()), CatalogFormats.writeDelta(d), record.timestamp()));
        }
    }

    /** The document's deltas, one per shard. */
    List<ShardDelta> deltas(DocumentCodes doc) {
        scan.scan(doc);
        List<List<FeatureDelta>> perShard = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++) {
            perShard.add(new ArrayList<>());
        }
        String sae = doc.saeId();
        boolean[] withWindows = new boolean[shards];
        for (int i = 0; i < scan.featureCount(); i++) {
            DocumentScan.Stats st = scan.stats(i);
            int[] peaks = scan.peaks(i);
            List<WindowCandidate> candidates = new ArrayList<>(2);
            int shard = ShardDelta.shardOf(st.feature(), shards);
            for (int peak : peaks) {
                long key = SampleKeys.key(config.seed(), doc.docId(), peak, st.feature());
                if (filters.admitWindow(sae, st.feature(), scan.valueAt(i, peak), key)) {
                    candidates.add(new WindowCandidate(scan.window(i, peak), key));
                    withWindows[shard] = true;
                }
            }
            perShard.get(shard)
                    .add(new FeatureDelta(
                            st.feature(),
                            st.activations(),
                            st.sumFixed(),
                            st.max(),
                            st.bins(),
                            st.binCounts(),
                            peaks.length,
                            candidates));
        }
        // codes carrying another field than the catalogue counts by say nothing about it: counted as without a value
        String facet = !config.facet().isEmpty() && config.facet().equals(doc.facetField()) ? doc.facetValue() : null;
        List<BackgroundCandidate> background = new ArrayList<>();
        for (int first : scan.backgroundStarts()) {
            long key = SampleKeys.key(config.seed(), doc.docId(), first, -1);
            if (filters.admitBackground(sae, key)) {
                background.add(new BackgroundCandidate(scan.background(first, facet), key));
            }
        }
        List<ShardDelta> out = new ArrayList<>(shards);
        for (int s = 0; s < shards; s++) {
            // the document's text goes once to each shard that keeps one of its windows
            out.add(new ShardDelta(
                    sae,
                    doc.docId(),
                    s,
                    doc.size(),
                    s == 0 ? doc.stats() : null,
                    withWindows[s] ? doc.pieces() : null,
                    perShard.get(s),
                    s == 0 ? background : List.of(),
                    facet));
        }
        return out;
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        String source = context.recordMetadata().map(DocumentSharder::where).orElse("unknown");
        DeadLetter letter = DeadLetter.of(
                STAGE, "malformed-codes", "cannot read the codes record: " + reason, source, record.value());
        context.forward(new Record<>(
                new ScanKey.Rejected(record.key() == null ? source : record.key()),
                Json.write(letter),
                record.timestamp()));
    }

    static String where(RecordMetadata m) {
        return m.topic() + "-" + m.partition() + "@" + m.offset();
    }
}
