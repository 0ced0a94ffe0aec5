package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicFollower;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code saestream label}: a consumer group over {@code saestream.features} (instances share its
 * partitions) that labels features as they become eligible and writes {@code saestream.labels}.
 *
 * <p>The labels topic is the ledger. Every instance reads all of it (and all of the background
 * sample) into memory, and on every assignment reads its feature partitions from the beginning
 * (compacted: about one record per feature), so after a restart it knows what is labelled, at
 * which version and on what evidence, and labels only what is new or changed. Committed offsets
 * only mark how far a partition has been read before, so that a bad record is dead-lettered once,
 * not again on every restart. A label is written (idempotent
 * producer, acknowledged by all replicas) before the feature counts as done; a crash between the
 * LLM call and the write leaves the feature unlabelled in the ledger, so it is labelled again on
 * restart rather than lost.
 *
 * <p>When partitions move, nothing is paid for twice. The instance giving them up waits (at most
 * {@link LabelConfig.Limits#handoverSeconds}) until the labels it has in flight for them are written and
 * acknowledged, before the group can hand them on; the instance taking them over reads the labels
 * topic up to its end offsets as of the assignment, so those labels are in its ledger, before it
 * schedules anything. Only a crash (or a handover that outlasts its bound) can make a feature
 * version be paid for twice, and never be lost.
 */
public final class LabelService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LabelService.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long LOG_EVERY_MS = 60_000;

    private final LabelConfig config;
    private final Map<String, Object> kafka;
    private final BackgroundIndex background;
    private final Labeller labeller;
    private final RelabelPolicy policy;
    private final LabelStore labels = new LabelStore();
    private final LongSupplier clock;
    /** Features waiting for their turn, by key; guarded by itself. */
    private final Map<String, Pending> pending = new HashMap<>();
    /** Features being labelled, by key, with the partition each came from; every removal is signalled on it. */
    private final Map<String, TopicPartition> inFlight = new ConcurrentHashMap<>();
    /** The feature partitions this instance owns; changed together with {@code pending}, under its lock. */
    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
    /** The labels topic's end offsets at the last assignment: nothing is scheduled until the ledger has read that far. */
    private volatile Map<TopicPartition, Long> ledgerTarget = Map.of();
    private volatile int handingOver;
    private final Consumer<ConsumerRecord<String, byte[]>> ledgerTap;
    private final ExecutorService workers;
    private final Object fetchLock = new Object();
    private final AtomicLong labelled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Failures by reason (a failed label's reason up to its first colon, or the exception's class). */
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong inputTokens = new AtomicLong();
    private final AtomicLong cachedInputTokens = new AtomicLong();
    private final AtomicLong outputTokens = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile int partitions;
    private final AtomicLong featuresRead = new AtomicLong();
    /**
     * Per partition, the offset committed as read: at an assignment the group's mark, then each position
     * this instance commits. Records below it were handled already (dead-lettered, if bad).
     */
    private final Map<TopicPartition, Long> readBefore = new ConcurrentHashMap<>();
    private volatile RuntimeException fatal;
    private volatile KafkaConsumer<String, byte[]> features;
    private KafkaConsumer<String, byte[]> fetcher;
    private KafkaProducer<String, byte[]> producer;

    /**
     * @param kafka client settings shared by every consumer and producer ({@code bootstrap.servers} at least)
     * @param background the index {@code labeller} samples from; this service keeps it current
     */
    public LabelService(LabelConfig config, Map<String, Object> kafka, BackgroundIndex background, Labeller labeller) {
        this(config, kafka, background, labeller, r -> { });
    }

    /** As above; {@code ledgerTap} sees every labels-topic record before it enters the ledger (tests slow the ledger with it). */
    LabelService(LabelConfig config, Map<String, Object> kafka, BackgroundIndex background, Labeller labeller,
                 Consumer<ConsumerRecord<String, byte[]>> ledgerTap) {
        this.config = config;
        this.ledgerTap = ledgerTap;
        this.kafka = Map.copyOf(kafka);
        this.background = background;
        this.labeller = labeller;
        this.policy = new RelabelPolicy(config);
        this.clock = System::currentTimeMillis;
        this.workers = Executors.newFixedThreadPool(config.limits().concurrency(), r -> {
            Thread t = new Thread(r, "label-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A live count of the work: for the progress bar and the log. {@code ready}: the background and
     * the labels topic are read (the latter up to the last assignment), so features are being
     * scheduled; {@code handingOver}: labels in flight for partitions being given up, waited for.
     */
    public record Status(boolean ready, int partitions, long featuresRead, int pending, int inFlight, int handingOver,
                           long labelled, long failed, long calls, long inputTokens, long outputTokens, long deadLettered,
                           long cachedInputTokens) {}

    private void failed(String reason) {
        failed.incrementAndGet();
        failures.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }

    /** The general part of a failure's message: up to its first colon, so that feature-specific detail does not split counts. */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "unknown";
        }
        int colon = failure.indexOf(':');
        return (colon > 0 ? failure.substring(0, colon) : failure).strip();
    }

    /** Labels failed so far, by reason; sums to {@link Status#failed}. */
    public Map<String, Long> failureReasons() {
        Map<String, Long> out = new java.util.TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public Status progress() {
        int p;
        synchronized (pending) {
            p = (int) pending.values().stream().filter(e -> e.verdict == null || e.verdict.decision() != RelabelPolicy.Decision.WAIT).count();
        }
        return new Status(ready, partitions, featuresRead.get(), p, inFlight.size(), handingOver, labelled.get(), failed.get(),
                calls.get(), inputTokens.get(), outputTokens.get(), deadLettered.get(), cachedInputTokens.get());
    }

    /** Runs until {@link #close}; rethrows what made it stop, if anything did. */
    public void run() {
        producer = new KafkaProducer<>(producerProps(kafka), new StringSerializer(), new ByteArraySerializer());
        fetcher = new KafkaConsumer<>(fetcherProps(kafka), new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> groupProps = groupProps(kafka, config);
        boolean readOnce = false;
        try (TopicFollower bg = new TopicFollower(config.topics().background(), kafka, this::onBackground).start();
             TopicFollower lf = new TopicFollower(config.topics().labels(), kafka, r -> {
                 ledgerTap.accept(r);
                 onLabel(r);
             }).start();
             Admin admin = Admin.create(kafka);
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(groupProps, new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            features = consumer;
            consumer.subscribe(List.of(config.topics().features()), new Rebalance(consumer, admin));
            long lastLog = clock.getAsLong();
            while (running) {
                var records = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> r : records) {
                    onFeature(r);
                    featuresRead.incrementAndGet();
                }
                // also when nothing came: the position moves past transaction markers too, and a mark left
                // before the last one would show as lag for ever
                commitReadSoFar(consumer);
                partitions = consumer.assignment().size();
                if (!ready && bg.caughtUp() && lf.caughtUp() && lf.reached(ledgerTarget)) {
                    decideUndecided();
                    ready = true;
                    if (!readOnce) {
                        readOnce = true;
                        log.info("read {} background windows and {} labels; labelling", background.size(), labels.size());
                    } else {
                        log.debug("read the labels topic up to the assignment ({} labels); scheduling", labels.size());
                    }
                }
                dispatch();
                if (fatal != null) {
                    throw fatal;
                }
                if (clock.getAsLong() - lastLog >= LOG_EVERY_MS) {
                    lastLog = clock.getAsLong();
                    Status p = progress();
                    log.info("labelled {}, failed {}, pending {}, in flight {}; LLM calls {}, tokens {} in / {} out",
                            p.labelled(), p.failed(), p.pending(), p.inFlight(), p.calls(), p.inputTokens(), p.outputTokens());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            running = false;
            if (!inFlight.isEmpty()) {
                log.warn("stopping with {} label(s) unfinished, not written: {}", inFlight.size(), new java.util.TreeSet<>(inFlight.keySet()));
            }
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (fetchLock) {
                fetcher.close();
            }
            producer.close(Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = features;
        if (c != null) {
            c.wakeup();
        }
    }

    // ---- input

    private void onBackground(ConsumerRecord<String, byte[]> r) {
        try {
            background.put(r.key(), r.value() == null ? null : Json.read(r.value(), BackgroundWindow.class));
        } catch (RuntimeException e) {
            deadLetter(r, "bad-background-window", e.getMessage());
        }
    }

    private void onLabel(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            labels.remove(r.key());
            return;
        }
        try {
            Label label = Json.read(r.value(), Label.class);
            labels.offer(label);
            labeller.remember(label);
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable label at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    private void onFeature(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            synchronized (pending) {
                pending.remove(r.key());
            }
            return;
        }
        FeatureState state;
        try {
            state = Json.read(r.value(), FeatureState.class);
            if (!state.key().equals(r.key())) {
                throw new IllegalArgumentException("the record key " + r.key() + " is not the state's key " + state.key());
            }
        } catch (RuntimeException e) {
            if (r.offset() >= readBefore.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
                deadLetter(r, "bad-feature-state", e.getMessage());
            }
            return;
        }
        Pending p = new Pending(new TopicPartition(r.topic(), r.partition()), r.offset(), RelabelCandidate.of(state));
        synchronized (pending) {
            pending.put(r.key(), p);
            if (ready) {
                decide(p);
            }
        }
    }

    // ---- scheduling

    /** A feature waiting for its turn: where its latest state is, what it looks like, and the last verdict. */
    private final class Pending implements RelabelPolicy.Candidate {
        final TopicPartition partition;
        final long offset;
        final RelabelCandidate summary;
        RelabelPolicy.Verdict verdict;
        long retryAfterMs;

        Pending(TopicPartition partition, long offset, RelabelCandidate summary) {
            this.partition = partition;
            this.offset = offset;
            this.summary = summary;
        }

        @Override
        public String key() {
            return summary.key();
        }

        @Override
        public boolean neverLabelled() {
            return labels.get(summary.key()) == null;
        }

        @Override
        public double density() {
            return summary.density();
        }
    }

    /** Decides one entry; drops it when there is nothing to do. Call holding {@code pending}. */
    private void decide(Pending p) {
        p.verdict = policy.decide(p.summary, labels.get(p.key()), clock.getAsLong());
        if (!p.verdict.decision().due() && p.verdict.decision() != RelabelPolicy.Decision.WAIT) {
            pending.remove(p.key(), p);
        }
    }

    private void decideUndecided() {
        synchronized (pending) {
            for (Pending p : new ArrayList<>(pending.values())) {
                decide(p);
            }
        }
    }

    /**
     * Starts the most urgent due features while there are free workers: from the poll thread, and
     * from a worker as it finishes, so that no worker waits for the next poll.
     */
    private void dispatch() {
        while (true) {
            Pending next = null;
            long now = clock.getAsLong();
            synchronized (pending) {
                if (!ready || !running || inFlight.size() >= config.limits().concurrency()) {
                    return;
                }
                for (Pending p : new ArrayList<>(pending.values())) {
                    if (p.verdict == null || inFlight.containsKey(p.key()) || p.retryAfterMs > now) {
                        continue;
                    }
                    if (p.verdict.decision() == RelabelPolicy.Decision.WAIT && p.verdict.notBeforeMs() <= now) {
                        decide(p);
                    }
                    if (p.verdict.decision().due() && pending.get(p.key()) == p
                            && (next == null || RelabelPolicy.PRIORITY.compare(p, next) < 0)) {
                        next = p;
                    }
                }
                if (next == null) {
                    return;
                }
                pending.remove(next.key(), next);
                inFlight.put(next.key(), next.partition);
            }
            Pending job = next;
            try {
                workers.execute(() -> work(job));
            } catch (RejectedExecutionException e) {
                inFlight.remove(job.key()); // stopping
                return;
            }
        }
    }

    private void work(Pending job) {
        String key = job.key();
        try {
            if (!owned.contains(job.partition)) {
                return; // given up before this job started: its new owner labels it
            }
            FeatureState state = fetch(job.partition, job.offset);
            if (state == null) {
                return; // compacted away: a newer state of this feature is on its way
            }
            Label last = labels.get(key);
            if (!policy.decide(RelabelCandidate.of(state), last, clock.getAsLong()).decision().due()) {
                return;
            }
            Label label = labeller.label(state, last);
            producer.send(new ProducerRecord<>(config.topics().labels(), key, Json.write(label))).get();
            labels.offer(label);
            if (label.status() == Label.Status.OK) {
                labelled.incrementAndGet();
            } else {
                failed(reason(label.failure()));
            }
            calls.addAndGet(label.cost().calls());
            inputTokens.addAndGet(label.cost().inputTokens());
            cachedInputTokens.addAndGet(label.cost().cachedInputTokens());
            outputTokens.addAndGet(label.cost().outputTokens());
            log.debug("{} v{}: {}", key, state.version(), label.status() == Label.Status.OK ? label.explanation() : label.failure());
        } catch (LlmUnavailableException e) {
            requeue(job, e.getMessage());
        } catch (InterruptedException e) {
            // only when stopping: the producer flushes the label as it closes, or the next owner labels the feature
            log.warn("stopped waiting for the label of {} to be acknowledged", key);
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("could not write the label of {}: {}", key, e.getCause().getMessage());
            requeue(job, "its label could not be written");
        } catch (IllegalStateException e) {
            fatal = e;
        } catch (RuntimeException e) {
            log.error("labelling {} failed", key, e);
            failed(e.getClass().getSimpleName());
        } finally {
            synchronized (inFlight) {
                inFlight.remove(key);
                inFlight.notifyAll();
            }
        }
        dispatch();
    }

    /** Tries {@code job} again later if its partition is still this instance's; its new owner labels it otherwise. */
    private void requeue(Pending job, String why) {
        synchronized (pending) {
            if (owned.contains(job.partition)) {
                log.warn("{} not labelled, will try again in {} s: {}", job.key(), config.llm().retryMaxMillis() / 1000, why);
                job.retryAfterMs = clock.getAsLong() + config.llm().retryMaxMillis();
                pending.putIfAbsent(job.key(), job);
            } else {
                log.warn("{} not labelled ({}); partition {} is no longer this instance's, its next owner labels it", job.key(),
                        why, job.partition);
            }
        }
    }

    /** Forgets the pending work of {@code partitions}: no longer this instance's to start. */
    private void giveUp(Collection<TopicPartition> partitions) {
        synchronized (pending) {
            owned.removeAll(partitions);
            pending.values().removeIf(p -> partitions.contains(p.partition));
        }
    }

    /**
     * Waits, at most {@link LabelConfig.Limits#handoverSeconds}, until no feature of {@code partitions} is
     * in flight: each has been labelled and its label acknowledged, or has failed and been let go.
     */
    private void awaitHandover(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.limits().handoverSeconds());
        synchronized (inFlight) {
            try {
                for (boolean first = true; ; first = false) {
                    List<String> left = inFlight.entrySet().stream().filter(e -> partitions.contains(e.getValue()))
                            .map(Map.Entry::getKey).sorted().toList();
                    handingOver = left.size();
                    if (left.isEmpty()) {
                        return;
                    }
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        log.warn("handing over {} partition(s) without waiting longer than {} s for {}; their labels will"
                                + " still be written, and the partitions' new owner may label them again", partitions.size(),
                                config.limits().handoverSeconds(), left);
                        return;
                    }
                    if (first) {
                        log.info("handing over {} partition(s) once {} label(s) in flight are written", partitions.size(), left.size());
                    }
                    TimeUnit.NANOSECONDS.timedWait(inFlight, wait);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                handingOver = 0;
            }
        }
    }

    /** The feature state at {@code offset}, or null when compaction has removed it. */
    private FeatureState fetch(TopicPartition tp, long offset) {
        synchronized (fetchLock) {
            fetcher.assign(List.of(tp));
            fetcher.seek(tp, offset);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : fetcher.poll(POLL).records(tp)) {
                    if (r.offset() != offset || r.value() == null) {
                        return null;
                    }
                    return Json.read(r.value(), FeatureState.class);
                }
            }
            throw new UncheckedIOException(new java.io.IOException("could not fetch " + tp + "@" + offset + " within 30 s"));
        }
    }

    /** Commits how far each partition has been read, never moving a mark back while a partition is re-read. */
    private void commitReadSoFar(KafkaConsumer<String, byte[]> consumer) {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> marks = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long position = consumer.position(tp);
            if (position > readBefore.getOrDefault(tp, 0L)) {
                marks.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(position));
            }
        }
        if (!marks.isEmpty()) {
            consumer.commitAsync(marks, null);
            marks.forEach((tp, mark) -> readBefore.put(tp, mark.offset()));
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Admin admin;

        Rebalance(KafkaConsumer<String, byte[]> consumer, Admin admin) {
            this.consumer = consumer;
            this.admin = admin;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            giveUp(partitions);
            awaitHandover(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // already someone else's: waiting would not keep them; labels in flight are still written
            giveUp(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            synchronized (pending) {
                owned.addAll(partitions);
            }
            // labels the partitions' last owner wrote before letting them go are below these offsets
            ledgerTarget = endOffsets(admin, config.topics().labels());
            ready = false;
            consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, mark) -> {
                if (mark != null) {
                    readBefore.put(tp, mark.offset());
                }
            });
            // the ledger, not committed offsets, says what is done: read every feature again
            consumer.seekToBeginning(partitions);
            log.info("assigned {} partition(s) of {}", partitions.size(), config.topics().features());
        }
    }

    // ---- output

    private void deadLetter(ConsumerRecord<String, byte[]> r, String reason, String detail) {
        deadLettered.incrementAndGet();
        log.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), detail);
        DeadLetter letter = DeadLetter.of("label", reason, detail, r.topic() + "-" + r.partition() + "@" + r.offset(), r.value());
        producer.send(new ProducerRecord<>(config.topics().dlq(), r.key(), Json.write(letter)));
    }

    /**
     * {@code saestream label --once}: labels the feature {@code key} as it is now on the features
     * topic, with the background as it is now, and writes the label only when {@code write}.
     */
    public static Label labelOnce(LabelConfig config, Map<String, Object> kafka, Map<String, String> env, String key,
                                  boolean write) throws LlmUnavailableException, java.io.IOException {
        FeatureKey.index(key); // fails early, naming the bad key
        Duration timeout = Duration.ofSeconds(60);
        byte[] stateBytes = latest(kafka, config.topics().features(), key, timeout);
        if (stateBytes == null) {
            throw new IllegalArgumentException("feature " + key + " is not on " + config.topics().features()
                    + "; keys look like <saeId>/<index>, e.g. all-minilm-l6-v2/layer3/topk-3072/17");
        }
        FeatureState state = Json.read(stateBytes, FeatureState.class);
        byte[] lastBytes = latest(kafka, config.topics().labels(), key, timeout);
        Label last = lastBytes == null ? null : Json.read(lastBytes, Label.class);
        BackgroundIndex background = new BackgroundIndex();
        TopicFollower.readToEnd(config.topics().background(), kafka,
                r -> background.put(r.key(), r.value() == null ? null : Json.read(r.value(), BackgroundWindow.class)), timeout);
        Labeller labeller = Labeller.create(config, background, env);
        if (config.scoring().nullBaseline()) {
            // other features' explanations, for the null baseline
            TopicFollower.readToEnd(config.topics().labels(), kafka,
                    r -> readLabel(r.value()).ifPresent(labeller::remember), timeout);
        }
        Label label = labeller.label(state, last);
        if (write) {
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProps(kafka), new StringSerializer(),
                    new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(config.topics().labels(), key, Json.write(label))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted while writing the label", e);
            } catch (ExecutionException e) {
                throw new java.io.IOException("could not write the label to " + config.topics().labels() + ": "
                        + e.getCause().getMessage(), e);
            }
        }
        return label;
    }

    /** A label record's value, empty for a tombstone or a record that does not read as a label. */
    private static java.util.Optional<Label> readLabel(byte[] value) {
        try {
            return value == null ? java.util.Optional.empty() : java.util.Optional.of(Json.read(value, Label.class));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The latest value of {@code key} on a compacted topic (null when absent or deleted), from the
     * partition the default partitioner puts the key in, read to its end.
     */
    static byte[] latest(Map<String, Object> kafka, String topic, String key, Duration timeout) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(TopicFollower.consumerProps(kafka),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return null;
            }
            byte[] keyBytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            // where the producers' default partitioner put it: Kafka's own function, not a copy of it
            TopicPartition tp = new TopicPartition(topic,
                    org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(keyBytes, infos.size()));
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            byte[] value = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (c.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + tp + " to its end within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
                    if (key.equals(r.key())) {
                        value = r.value();
                    }
                }
            }
            return value;
        }
    }

    static Map<String, Object> producerProps(Map<String, Object> kafka) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        return p;
    }

    /** The topic's end offsets now (none when it does not exist yet); the admin client, since no consumer here is assigned them. */
    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) {
        try {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).values();
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(TopicAdmin.everyPartition(description, OffsetSpec.latest())).all().get(60, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            return Map.copyOf(end);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Map.of();
            }
            throw new IllegalStateException("could not read the end offsets of " + topic + ": " + e.getCause().getMessage(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not read the end offsets of " + topic + " within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end offsets of " + topic, e);
        }
    }

    /**
     * The feature consumer's settings. A rebalance waits for this member's handover, and Kafka lets
     * a member take at most {@code max.poll.interval.ms} to rejoin, so that must be longer.
     */
    static Map<String, Object> groupProps(Map<String, Object> kafka, LabelConfig config) {
        Map<String, Object> p = TopicFollower.consumerProps(kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.topics().groupId());
        long needed = TimeUnit.SECONDS.toMillis(config.limits().handoverSeconds()) + 60_000;
        Object given = p.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        if (given == null) {
            p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(300_000, needed));
        } else if (Long.parseLong(given.toString()) < needed) {
            throw new IllegalArgumentException("the Kafka client setting max.poll.interval.ms (" + given + ") must be at least"
                    + " label.limits.handoverSeconds plus a minute (" + needed + " ms)");
        }
        return p;
    }

    private static Map<String, Object> fetcherProps(Map<String, Object> kafka) {
        Map<String, Object> p = TopicFollower.consumerProps(kafka);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        return p;
    }
}
