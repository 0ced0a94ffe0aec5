package dev.saestream.catalog;

import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Second step of the catalog, partitioned by feature shard: merges every document's deltas into
 * the exact state of the features this shard owns.
 *
 * <p>Statistics change for hundreds of features per document, so they are kept as objects in
 * memory rather than serialized into a store per change. They stay exactly-once by logging: each
 * incoming delta is appended, as the bytes it arrived in, to a changelogged log store; a
 * checkpoint writes the changed statistics to their changelogged store and truncates the log.
 * Both writes commit in the same transactions as the input offsets, so after any crash the
 * checkpoint plus the log replayed in {@link #init} is exactly the state at the last commit.
 * Windows change rarely (only when they enter a top-k or a reservoir) and go straight to their
 * store, one slot per place in a sample, so that a window taking the worst one's place is one
 * write. A window is a span of its document; the document's pieces are stored once, for as long
 * as any window refers to them.
 */
final class FeatureAggregator implements Processor<Integer, byte[], CatalogOutput, byte[]> {
    private final CatalogConfig config;
    private final CatalogCounters counters;

    private ProcessorContext<CatalogOutput, byte[]> context;
    private KeyValueStore<Long, byte[]> log;
    private KeyValueStore<String, byte[]> statsStore;
    private KeyValueStore<String, byte[]> totalsStore;
    private KeyValueStore<Bytes, byte[]> windows;
    private KeyValueStore<String, byte[]> documents;
    private KeyValueStore<Bytes, byte[]> background;

    private final Map<String, Map<Integer, FeatureStats>> stats = new HashMap<>();
    private final Map<String, CatalogTotals> totals = new HashMap<>();
    private final Map<String, Map<Integer, WindowIndex>> indexes = new HashMap<>();
    private final Map<String, TreeSet<Bytes>> backgroundIndexes = new HashMap<>();
    /** Recently used documents' pieces, decoded: emissions of different features keep meeting the same documents. */
    private final Map<String, String[]> decoded = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
            return size() > DECODED_DOCUMENTS;
        }
    };

    private static final int DECODED_DOCUMENTS = 4096;
    /** Windows referring to each document ({@link WindowKeys#document} key): derived from the windows store. */
    private final Map<String, Integer> documentRefs = new HashMap<>();

    private long logFirst;
    private long logNext;
    private long recordsSinceTick;
    private int quietTicks;
    private boolean settled;
    private static final int LOG_HEADER = Long.BYTES + 1;

    /**
     * One of a feature's samples (its top-k or its reservoir): its windows' rank keys in rank order,
     * each with the slot it is stored in, so that rank, membership, the entry to evict and its slot
     * are known without reading the store; rebuilt from it in {@link #init}.
     */
    private static final class Sample {
        final Bytes prefix;
        final TreeMap<Bytes, Integer> keys;
        /** A key's first field, whose unsigned order is the keys' first criterion. */
        private final ToLongFunction<Bytes> rank;
        // The worst member's first field, known while the sample is full and unchanged: most candidates
        // rank strictly below it and are turned away without building a key or walking the tree.
        private boolean floorKnown;
        private long floor;

        Sample(Bytes prefix, ToLongFunction<Bytes> rank) {
            this.prefix = prefix;
            this.keys = new TreeMap<>(WindowKeys.orderAfter(prefix.get().length));
            this.rank = rank;
        }

        /** True when a window whose key starts with {@code candidate} ranks strictly below every key of a full sample. */
        boolean rejects(long candidate, int capacity) {
            if (keys.size() < capacity) {
                return false;
            }
            if (!floorKnown) {
                floor = rank.applyAsLong(keys.lastKey());
                floorKnown = true;
            }
            return Long.compareUnsigned(candidate, floor) > 0;
        }

        void changed() {
            floorKnown = false;
        }
    }

    /** A feature's two samples. */
    private static final class WindowIndex {
        final Sample top;
        final Sample reservoir;

        WindowIndex(String saeId, int feature) {
            Bytes topPrefix = WindowKeys.prefix(saeId, feature, WindowKeys.TOP);
            // top and reservoir keys share the prefix's length
            int prefix = topPrefix.get().length;
            this.top = new Sample(topPrefix, key -> Integer.toUnsignedLong(WindowKeys.topRank(key, prefix)));
            this.reservoir = new Sample(
                    WindowKeys.prefix(saeId, feature, WindowKeys.RESERVOIR),
                    key -> WindowKeys.reservoirRank(key, prefix));
        }

        Sample of(byte kind) {
            return kind == WindowKeys.TOP ? top : reservoir;
        }
    }

    FeatureAggregator(CatalogConfig config, CatalogCounters counters) {
        this.config = config;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<CatalogOutput, byte[]> context) {
        this.context = context;
        this.log = context.getStateStore(CatalogStores.LOG);
        this.statsStore = context.getStateStore(CatalogStores.STATS);
        this.totalsStore = context.getStateStore(CatalogStores.TOTALS);
        this.windows = context.getStateStore(CatalogStores.WINDOWS);
        this.documents = context.getStateStore(CatalogStores.DOCUMENTS);
        this.background = context.getStateStore(CatalogStores.BACKGROUND);
        stats.clear();
        totals.clear();
        indexes.clear();
        backgroundIndexes.clear();
        documentRefs.clear();
        try (KeyValueIterator<Bytes, byte[]> it = windows.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                WindowKeys.Slot slot = WindowKeys.parseSlot(kv.key);
                CatalogFormats.StoredWindow w = CatalogFormats.readStored(kv.value);
                index(slot.saeId(), slot.feature())
                        .of(slot.kind())
                        .keys
                        .put(WindowKeys.rankKey(kv.key, w.rank()), slot.slot());
                documentRefs.merge(WindowKeys.document(slot.saeId(), w.doc()), 1, Integer::sum);
            }
        }
        try (KeyValueIterator<String, byte[]> it = statsStore.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                stats.computeIfAbsent(FeatureKey.saeId(kv.key), s -> new HashMap<>())
                        .put(FeatureKey.index(kv.key), FeatureStats.read(kv.value));
            }
        }
        try (KeyValueIterator<String, byte[]> it = totalsStore.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                totals.put(kv.key, CatalogTotals.read(kv.value));
            }
        }
        // replay what arrived after the last checkpoint; windows are already in their store
        logFirst = -1;
        logNext = 0;
        try (KeyValueIterator<Long, byte[]> it = log.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                if (logFirst < 0) {
                    logFirst = kv.key;
                }
                logNext = kv.key + 1;
                java.nio.ByteBuffer entry = java.nio.ByteBuffer.wrap(kv.value);
                long timestamp = entry.getLong();
                boolean countTokens = entry.get() != 0;
                apply(
                        CatalogFormats.readDelta(java.util.Arrays.copyOfRange(kv.value, LOG_HEADER, kv.value.length)),
                        timestamp,
                        countTokens,
                        true);
            }
        }
        logFirst = Math.max(logFirst, 0);
        settled = false;
        counters.settled(context.taskId(), false);
        context.schedule(Duration.ofMillis(config.checkpointMs()), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<Integer, byte[]> record) {
        ShardDelta delta = CatalogFormats.readDelta(record.value());
        // Every document sends a delta to every shard; a partition counts the document's tokens once,
        // from the delta of its own shard (several shards share a partition only in tests).
        boolean countTokens = context.recordMetadata()
                .map(m -> m.partition() == delta.shard())
                .orElse(true);
        // The log keeps what a replay needs (statistics, not windows: those are in their store already),
        // with the record's timestamp and that decision, so a replay reproduces both.
        byte[] stats = CatalogFormats.writeDelta(delta.statisticsOnly());
        byte[] entry = new byte[LOG_HEADER + stats.length];
        java.nio.ByteBuffer.wrap(entry)
                .putLong(record.timestamp())
                .put((byte) (countTokens ? 1 : 0))
                .put(stats);
        log.put(logNext++, entry);
        apply(delta, record.timestamp(), countTokens, false);
        recordsSinceTick++;
        if (settled) {
            settled = false;
            counters.settled(context.taskId(), false);
        }
    }

    private void apply(ShardDelta d, long timestamp, boolean countTokens, boolean replay) {
        if (countTokens || d.recon() != null) {
            CatalogTotals t = totals.getOrDefault(d.saeId(), new CatalogTotals(d.saeId(), 0, 0, null));
            totals.put(d.saeId(), t.plus(d, countTokens));
        }
        Map<Integer, FeatureStats> bySae = stats.computeIfAbsent(d.saeId(), s -> new HashMap<>());
        for (FeatureDelta fd : d.features()) {
            FeatureStats st = bySae.computeIfAbsent(fd.feature(), f -> new FeatureStats());
            st.add(fd, timestamp);
            if (!config.facet().isEmpty()) {
                st.countFacet(config.facet(), d.facet(), fd.activations(), config.facetValues());
            }
            if (!replay && !fd.candidates().isEmpty()) {
                WindowIndex idx = index(d.saeId(), fd.feature());
                for (WindowCandidate c : fd.candidates()) {
                    WindowSpan span = c.span();
                    boolean toTop =
                            !idx.top.rejects(Integer.toUnsignedLong(WindowKeys.topRank(span.max())), config.topK());
                    boolean toReservoir = !idx.reservoir.rejects(c.sampleKey(), config.reservoirSize());
                    if (!toTop && !toReservoir) {
                        continue;
                    }
                    if (toTop
                            && offerWindow(
                                    d,
                                    idx.top,
                                    WindowKeys.top(idx.top.prefix, d.docId(), span.max(), span.peak()),
                                    span,
                                    config.topK())) {
                        st.topChanges++;
                    }
                    if (toReservoir) {
                        offerWindow(
                                d,
                                idx.reservoir,
                                WindowKeys.reservoir(idx.reservoir.prefix, d.docId(), span.peak(), c.sampleKey()),
                                span,
                                config.reservoirSize());
                    }
                }
            }
        }
        if (!replay) {
            for (BackgroundCandidate b : d.background()) {
                offerBackground(d.saeId(), b);
            }
        }
    }

    /**
     * Offers a window, ranked by {@code key}, to one of a feature's samples, keeping its document
     * while any window refers to it.
     */
    private boolean offerWindow(ShardDelta d, Sample sample, Bytes key, WindowSpan span, int capacity) {
        Bytes out = offer(sample, key, span, d.docId(), capacity);
        if (out == null) {
            return false;
        }
        sample.changed();
        String doc = WindowKeys.document(d.saeId(), d.docId());
        if (documentRefs.merge(doc, 1, Integer::sum) == 1) {
            if (d.pieces() == null) {
                throw new IllegalStateException("a window of " + d.docId() + " arrived without its document");
            }
            documents.put(doc, CatalogFormats.writePieces(d.pieces()));
        }
        if (!out.equals(key)) {
            String gone = WindowKeys.parse(out).documentKey();
            if (documentRefs.merge(gone, -1, Integer::sum) == 0) {
                documentRefs.remove(gone);
                documents.delete(gone);
                decoded.remove(gone);
            }
        }
        return true;
    }

    /**
     * Stores the window if {@code key} ranks among the best {@code capacity} keys of {@code sample},
     * in the slot of the worst, which it evicts, or in a free one. Returns the key now out of the
     * sample: the evicted one, or {@code key} itself when it filled a free slot; null when it was not taken.
     */
    private Bytes offer(Sample sample, Bytes key, WindowSpan span, String doc, int capacity) {
        TreeMap<Bytes, Integer> keys = sample.keys;
        if (keys.size() >= capacity && keys.comparator().compare(key, keys.lastKey()) >= 0) {
            return null;
        }
        Map.Entry<Bytes, Integer> evicted = keys.size() >= capacity ? keys.lastEntry() : null;
        int slot = evicted == null ? keys.size() : evicted.getValue();
        // one walk of the tree: a lookup before the insertion took a sixteenth of the catalog thread
        if (keys.putIfAbsent(key, slot) != null) {
            return null; // the same window again (its document encoded twice): keep one
        }
        if (evicted != null) {
            keys.pollLastEntry(); // key ranks above it, so it is still the last
        }
        byte[] rank = WindowKeys.rank(key, sample.prefix.get().length);
        windows.put(WindowKeys.slot(sample.prefix, slot), CatalogFormats.writeStored(rank, doc, span));
        return evicted == null ? key : evicted.getKey();
    }

    /**
     * In a store keyed by rank (the background's): puts {@code value} (made only then) under {@code key} if it ranks
     * among the best {@code capacity} keys of {@code index}, evicting the worst. Returns the key now out of the sample: the evicted one,
     * or {@code key} itself when it filled a free place; null when it was not taken.
     */
    private static Bytes offerRanked(
            KeyValueStore<Bytes, byte[]> store,
            TreeSet<Bytes> index,
            Bytes key,
            java.util.function.Supplier<byte[]> value,
            int capacity) {
        if (index.size() >= capacity && index.comparator().compare(key, index.last()) >= 0) {
            return null;
        }
        if (!index.add(key)) {
            return null; // the same window again (its document encoded twice): keep one
        }
        store.put(key, value.get());
        if (index.size() <= capacity) {
            return key;
        }
        Bytes evicted = index.pollLast();
        store.delete(evicted);
        return evicted;
    }

    private void offerBackground(String saeId, BackgroundCandidate b) {
        TreeSet<Bytes> index = backgroundIndexes.computeIfAbsent(
                saeId, s -> keys(background, WindowKeys.backgroundPrefix(s), WindowKeys.backgroundUpperBound(s)));
        Comparator<? super Bytes> order = index.comparator();
        Bytes key = WindowKeys.background(saeId, b.window(), b.sampleKey());
        Bytes worst = index.size() >= config.backgroundSize() ? index.last() : null;
        byte[] evictedValue = worst != null && order.compare(key, worst) < 0 ? background.get(worst) : null;
        Bytes taken = offerRanked(
                background, index, key, () -> CatalogFormats.writeBackground(b.window()), config.backgroundSize());
        if (taken == null) {
            return;
        }
        context.forward(new Record<>(
                new CatalogOutput(Topics.BACKGROUND, b.window().id()),
                Json.write(b.window()),
                context.currentSystemTimeMs()));
        if (evictedValue != null) {
            BackgroundWindow gone = CatalogFormats.readBackground(evictedValue);
            context.forward(new Record<CatalogOutput, byte[]>(
                    new CatalogOutput(Topics.BACKGROUND, gone.id()), null, context.currentSystemTimeMs()));
        }
    }

    private WindowIndex index(String saeId, int feature) {
        return indexes.computeIfAbsent(saeId, s -> new HashMap<>())
                .computeIfAbsent(feature, f -> new WindowIndex(saeId, f));
    }

    private static TreeSet<Bytes> keys(KeyValueStore<Bytes, byte[]> store, Bytes from, Bytes to) {
        TreeSet<Bytes> keys = new TreeSet<>(WindowKeys.orderAfter(from.get().length));
        try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        return keys;
    }

    /** Emits what changed materially, then checkpoints the statistics and truncates the log. */
    private void tick(long now) {
        // idle: no input between this tick and the one before, and none before that; counted in records, not
        // wall time, because a long punctuation of another task must not look like a quiet input
        quietTicks = recordsSinceTick == 0 ? quietTicks + 1 : 0;
        recordsSinceTick = 0;
        boolean idle = quietTicks >= 2;
        long budget = config.emitBytesPerTick();
        boolean allEmitted = true;
        emit:
        for (Map.Entry<String, Map<Integer, FeatureStats>> sae : stats.entrySet()) {
            long tokens = totals.get(sae.getKey()).tokens();
            for (Map.Entry<Integer, FeatureStats> e : sae.getValue().entrySet()) {
                FeatureStats st = e.getValue();
                if (budget <= 0) {
                    allEmitted = false;
                    break emit; // the rest stay due and go at the next tick
                }
                if (shouldEmit(st, now, idle)) {
                    FeatureState state = state(
                            sae.getKey(),
                            e.getKey(),
                            st,
                            tokens,
                            windows,
                            doc -> decoded.computeIfAbsent(doc, d -> pieces(documents, d)));
                    budget -= forward(Topics.FEATURES, state.key(), Json.write(state), now);
                    st.emittedVersion = st.version;
                    st.emittedActivations = st.activations;
                    st.emittedAtMs = now;
                    st.topChanges = 0;
                    st.emissions++;
                    st.statsEmittedVersion = st.version;
                    st.statsEmittedAtMs = now;
                    st.dirty = true;
                } else if (shouldEmitStatistics(st, now)) {
                    FeatureStatistics figures = statistics(sae.getKey(), e.getKey(), st, tokens);
                    budget -= forward(Topics.FEATURE_STATS, figures.key(), Json.write(figures), now);
                    st.statsEmittedVersion = st.version;
                    st.statsEmittedAtMs = now;
                    st.dirty = true;
                }
            }
        }
        checkpoint();
        // idle emits every changed feature, so an idle tick that had budget for all leaves nothing behind
        if (idle && allEmitted && !settled) {
            settled = true;
            counters.settled(context.taskId(), true);
        }
    }

    /** Forwards one emission and counts it; returns its bytes. */
    private long forward(String topic, String key, byte[] json, long now) {
        if (Topics.FEATURES.equals(topic)) {
            counters.emitted.incrementAndGet();
            counters.emittedBytes.addAndGet(json.length);
        } else {
            counters.statsEmitted.incrementAndGet();
            counters.statsEmittedBytes.addAndGet(json.length);
        }
        context.forward(new Record<>(new CatalogOutput(topic, key), json, now));
        return json.length;
    }

    @Override
    public void close() {
        counters.closed(context.taskId());
    }

    private boolean shouldEmit(FeatureStats st, long now, boolean idle) {
        if (st.emittedCurrent()) {
            return false;
        }
        if (idle) {
            return true;
        }
        // the wait doubles with each emission (bounded): a feature's early churn costs a few records, not one per
        // change
        long wait = Math.min(
                config.emitMaxIntervalMs(), config.emitIntervalMs() << Math.min(20, Math.max(0, st.emissions - 1)));
        if (now - st.emittedAtMs < wait) {
            return false;
        }
        boolean first = st.emittedVersion == 0;
        boolean grew = st.activations >= st.emittedActivations * (1 + config.emitGrowth());
        boolean topMoved = st.topChanges >= Math.max(1, Math.ceil(config.emitTopChange() * config.topK()));
        return first || grew || topMoved;
    }

    /**
     * A changed feature's figures alone, at a steady pace, while its full state waits for a material
     * change: a few hundred bytes rather than its windows. Idle ticks emit full states instead.
     */
    private boolean shouldEmitStatistics(FeatureStats st, long now) {
        return config.statsIntervalMs() > 0
                && st.emittedVersion > 0
                && st.statsEmittedVersion != st.version
                && now - st.statsEmittedAtMs >= config.statsIntervalMs();
    }

    private void checkpoint() {
        for (Map.Entry<String, Map<Integer, FeatureStats>> sae : stats.entrySet()) {
            for (Map.Entry<Integer, FeatureStats> e : sae.getValue().entrySet()) {
                if (e.getValue().dirty) {
                    statsStore.put(
                            FeatureKey.of(sae.getKey(), e.getKey()),
                            e.getValue().write());
                    e.getValue().dirty = false;
                }
            }
        }
        totals.forEach((sae, t) -> totalsStore.put(sae, t.write()));
        for (long seq = logFirst; seq < logNext; seq++) {
            log.delete(seq);
        }
        logFirst = logNext;
    }

    /**
     * A feature's full state from its statistics and its windows, whose documents' pieces come from
     * {@code pieces} (by {@link WindowKeys#document} key).
     */
    static FeatureState state(
            String saeId,
            int feature,
            FeatureStats st,
            long tokensSeen,
            ReadOnlyKeyValueStore<Bytes, byte[]> windows,
            java.util.function.Function<String, String[]> pieces) {
        List<FeatureWindow> top = windowsOf(saeId, windows, pieces, WindowKeys.prefix(saeId, feature, WindowKeys.TOP));
        List<FeatureWindow> reservoir =
                windowsOf(saeId, windows, pieces, WindowKeys.prefix(saeId, feature, WindowKeys.RESERVOIR));
        return FeatureState.of(statistics(saeId, feature, st, tokensSeen), top, reservoir);
    }

    /** A feature's statistics without its windows. */
    static FeatureStatistics statistics(String saeId, int feature, FeatureStats st, long tokensSeen) {
        return new FeatureStatistics(
                saeId,
                feature,
                st.version,
                tokensSeen,
                st.activations,
                st.documents,
                st.windows,
                FixedPoint.toDouble(st.sumFixed),
                st.max,
                new ActivationHistogram(st.histogram.clone()),
                st.updatedMs,
                st.facetState());
    }

    private static List<FeatureWindow> windowsOf(
            String saeId,
            ReadOnlyKeyValueStore<Bytes, byte[]> windows,
            java.util.function.Function<String, String[]> pieces,
            Bytes prefix) {
        List<CatalogFormats.StoredWindow> stored = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = windows.range(prefix, WindowKeys.upperBound(prefix))) {
            while (it.hasNext()) {
                stored.add(CatalogFormats.readStored(it.next().value));
            }
        }
        stored.sort((a, b) -> Arrays.compareUnsigned(a.rank(), b.rank()));
        List<FeatureWindow> out = new ArrayList<>(stored.size());
        for (CatalogFormats.StoredWindow w : stored) {
            out.add(w.span().toWindow(w.doc(), pieces.apply(WindowKeys.document(saeId, w.doc()))));
        }
        return out;
    }

    /** A document's pieces from the documents store. */
    static String[] pieces(ReadOnlyKeyValueStore<String, byte[]> documents, String documentKey) {
        byte[] raw = documents.get(documentKey);
        if (raw == null) {
            throw new IllegalStateException(
                    "document " + documentKey.replace('\0', '/') + " of a stored window is missing");
        }
        return CatalogFormats.readPieces(raw);
    }
}
