package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.TopicFollower;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>This class keeps the consumer loop and the handover; {@link LabelScheduler} chooses the next
 * feature, {@link FeatureFetcher} reads its state, workers label it, and {@link LabelCounters}
 * counts what came of it.
 */
public final class LabelService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LabelService.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long LOG_EVERY_MS = 60_000;

    private final LabelConfig config;
    private final Map<String, Object> kafka;
    private final BackgroundIndex background;
    private final Labeller labeller;
    private final LabelStore labels = new LabelStore();
    private final LongSupplier clock;
    private final LabelScheduler scheduler;
    private final LabelCounters counters = new LabelCounters();
    /** The labels topic's end offsets at the last assignment: nothing is scheduled until the ledger has read that far. */
    private volatile Map<TopicPartition, Long> ledgerTarget = Map.of();

    private volatile int handingOver;
    /** Features due when this service stopped, given back with their partitions for the next start. */
    private volatile int leftAtStop;

    private final Consumer<ConsumerRecord<String, byte[]>> ledgerTap;
    private final ExecutorService workers;
    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile int partitions;
    /**
     * Per partition, the offset committed as read: at an assignment the group's mark, then each position
     * this instance commits. Records below it were handled already (dead-lettered, if bad).
     */
    private final Map<TopicPartition, Long> readBefore = new ConcurrentHashMap<>();

    private volatile RuntimeException fatal;
    private volatile KafkaConsumer<String, byte[]> features;
    private FeatureFetcher fetcher;
    private KafkaProducer<String, byte[]> producer;

    /**
     * @param kafka client settings shared by every consumer and producer ({@code bootstrap.servers} at least)
     * @param background the index {@code labeller} samples from; this service keeps it current
     */
    public LabelService(LabelConfig config, Map<String, Object> kafka, BackgroundIndex background, Labeller labeller) {
        this(config, kafka, background, labeller, r -> {});
    }

    /** As above; {@code ledgerTap} sees every labels-topic record before it enters the ledger (tests slow the ledger with it). */
    LabelService(
            LabelConfig config,
            Map<String, Object> kafka,
            BackgroundIndex background,
            Labeller labeller,
            Consumer<ConsumerRecord<String, byte[]>> ledgerTap) {
        this.config = config;
        this.ledgerTap = ledgerTap;
        this.kafka = Map.copyOf(kafka);
        this.background = background;
        this.labeller = labeller;
        this.clock = System::currentTimeMillis;
        this.scheduler = new LabelScheduler(
                new RelabelPolicy(config),
                labels,
                clock,
                config.limits().concurrency(),
                config.llm().retryMaxMillis());
        this.workers = Executors.newFixedThreadPool(config.limits().concurrency(), r -> {
            Thread t = new Thread(r, "label-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A live count of the work: for the progress bar and the log. {@code ready}: the background and
     * the labels topic are read (the latter up to the last assignment), so features are being
     * scheduled; {@code handingOver}: labels in flight for partitions being given up, waited for;
     * {@code leftAtStop}: features that were due when the service stopped, left for its next start (or
     * their partitions' next owner).
     */
    public record Status(
            boolean ready,
            int partitions,
            long featuresRead,
            int pending,
            int inFlight,
            int handingOver,
            long labelled,
            long failed,
            long calls,
            long inputTokens,
            long outputTokens,
            long deadLettered,
            long cachedInputTokens,
            int leftAtStop) {}

    /** Labels failed so far, by reason; sums to {@link Status#failed}. */
    public Map<String, Long> failureReasons() {
        return counters.failureReasons();
    }

    public Status progress() {
        LabelCounters c = counters;
        return new Status(
                ready,
                partitions,
                c.featuresRead.get(),
                scheduler.due(),
                scheduler.inFlight(),
                handingOver,
                c.labelled.get(),
                c.failed.get(),
                c.calls.get(),
                c.inputTokens.get(),
                c.outputTokens.get(),
                c.deadLettered.get(),
                c.cachedInputTokens.get(),
                leftAtStop);
    }

    /**
     * One line: labels written, failed (with each reason's count), pending, and the LLM's cost. After a
     * stop, pending counts what was due then, which the stop handed back with the partitions.
     */
    public String summary() {
        Status p = progress();
        Map<String, Long> reasons = failureReasons();
        return String.format(
                Locale.ROOT,
                "labels: %,d written, %,d failed%s, %s; LLM calls %,d, tokens %,d in%s / %,d out",
                p.labelled(),
                p.failed(),
                reasons.isEmpty() ? "" : " " + reasons,
                // before it has read the catalogue and the ledger, the labeller cannot tell what is pending
                p.ready() || p.leftAtStop() > 0
                        ? String.format(Locale.ROOT, "%,d pending", p.pending() + p.inFlight() + p.leftAtStop())
                        : "pending not known yet (reading the catalogue)",
                p.calls(),
                p.inputTokens(),
                p.cachedInputTokens() == 0
                        ? ""
                        : String.format(Locale.ROOT, " (%,d of them cached)", p.cachedInputTokens()),
                p.outputTokens());
    }

    /** Runs until {@link #close}; rethrows what made it stop, if anything did. */
    public void run() {
        producer = new KafkaProducer<>(producerProps(kafka), new StringSerializer(), new ByteArraySerializer());
        fetcher = new FeatureFetcher(kafka);
        Map<String, Object> groupProps = groupProps(kafka, config);
        boolean readOnce = false;
        try (TopicFollower bg = new TopicFollower(config.topics().background(), kafka, this::onBackground).start();
                TopicFollower lf = new TopicFollower(config.topics().labels(), kafka, r -> {
                            ledgerTap.accept(r);
                            onLabel(r);
                        })
                        .start();
                Admin admin = Admin.create(kafka);
                KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(groupProps, new StringDeserializer(), new ByteArrayDeserializer())) {
            features = consumer;
            consumer.subscribe(List.of(config.topics().features()), new Rebalance(consumer, admin));
            long lastLog = clock.getAsLong();
            while (running) {
                var records = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> r : records) {
                    onFeature(r);
                    counters.featuresRead.incrementAndGet();
                }
                // also when nothing came: the position moves past transaction markers too, and a mark left
                // before the last one would show as lag for ever
                commitReadSoFar(consumer);
                partitions = consumer.assignment().size();
                if (!ready && bg.caughtUp() && lf.caughtUp() && lf.reached(ledgerTarget)) {
                    scheduler.decideAll();
                    ready = true;
                    if (!readOnce) {
                        readOnce = true;
                        log.info(
                                "read {} background windows and {} labels; labelling",
                                background.size(),
                                labels.size());
                    } else {
                        log.debug("read the labels topic up to the assignment ({} labels); scheduling", labels.size());
                    }
                }
                dispatch();
                if (fatal != null) {
                    running = false; // so the partitions given up below count what is left
                    throw fatal;
                }
                if (clock.getAsLong() - lastLog >= LOG_EVERY_MS) {
                    lastLog = clock.getAsLong();
                    Status p = progress();
                    log.info(
                            "labelled {}, failed {}, pending {}, in flight {}; LLM calls {}, tokens {} in / {} out",
                            p.labelled(),
                            p.failed(),
                            p.pending(),
                            p.inFlight(),
                            p.calls(),
                            p.inputTokens(),
                            p.outputTokens());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            running = false;
            if (scheduler.inFlight() > 0) {
                log.warn(
                        "stopping with {} label(s) unfinished, not written: {}",
                        scheduler.inFlight(),
                        scheduler.inFlightKeys());
            }
            workers.shutdownNow();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fetcher.close();
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
            log.warn(
                    "skipping an unreadable label at {}-{}@{}: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    e.getMessage());
        }
    }

    private void onFeature(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            scheduler.forget(r.key());
            return;
        }
        FeatureState state;
        try {
            state = Json.read(r.value(), FeatureState.class);
            if (!state.key().equals(r.key())) {
                throw new IllegalArgumentException(
                        "the record key " + r.key() + " is not the state's key " + state.key());
            }
        } catch (RuntimeException e) {
            if (r.offset() >= readBefore.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
                deadLetter(r, "bad-feature-state", e.getMessage());
            }
            return;
        }
        scheduler.offer(new TopicPartition(r.topic(), r.partition()), r.offset(), state, ready);
    }

    // ---- labelling

    /**
     * Starts the most urgent due features while there are free workers: from the poll thread, and
     * from a worker as it finishes, so that no worker waits for the next poll.
     */
    private void dispatch() {
        while (true) {
            LabelScheduler.Pending job = scheduler.take(ready && running);
            if (job == null) {
                return;
            }
            try {
                workers.execute(() -> work(job));
            } catch (RejectedExecutionException e) {
                scheduler.finished(job.key()); // stopping
                return;
            }
        }
    }

    /** What became of one feature a worker took. */
    private sealed interface Outcome {
        /** Its label is written and acknowledged. */
        record Written(Label label) implements Outcome {}

        /** Nothing to do any more: its partition was given up, its state compacted away or no longer due. */
        record Skipped() implements Outcome {}

        /** Not labelled now; tried again later if its partition is still this instance's. */
        record Retry(String why) implements Outcome {}

        /** The labeller failed on it in a way no retry mends; counted by the exception's class. */
        record Failed(String reason) implements Outcome {}

        /** The LLM refuses the key or the model: nothing more can be labelled, the service stops. */
        record Stop(LlmRefusedException why) implements Outcome {}
    }

    private void work(LabelScheduler.Pending job) {
        Outcome outcome;
        try {
            outcome = label(job);
        } finally {
            scheduler.finished(job.key());
        }
        if (outcome instanceof Outcome.Written w) {
            counters.written(w.label());
        } else if (outcome instanceof Outcome.Retry r) {
            scheduler.requeue(job, r.why());
        } else if (outcome instanceof Outcome.Failed f) {
            counters.failed(f.reason());
        } else if (outcome instanceof Outcome.Stop stop) {
            fatal = stop.why();
        }
        dispatch();
    }

    /** Labels one feature and writes its label, unless it is no longer this instance's or no longer due. */
    private Outcome label(LabelScheduler.Pending job) {
        String key = job.key();
        try {
            if (!scheduler.owns(job.partition)) {
                return new Outcome.Skipped(); // given up before this job started: its new owner labels it
            }
            FeatureState state = fetcher.fetch(job.partition, job.offset);
            if (state == null) {
                return new Outcome.Skipped(); // compacted away: a newer state of this feature is on its way
            }
            if (!scheduler.stillDue(state)) {
                return new Outcome.Skipped();
            }
            Label label = labeller.label(state, labels.get(key));
            producer.send(new ProducerRecord<>(config.topics().labels(), key, Json.write(label)))
                    .get();
            labels.offer(label);
            log.debug(
                    "{} v{}: {}",
                    key,
                    state.version(),
                    label.status() == Label.Status.OK ? label.explanation() : label.failure());
            return new Outcome.Written(label);
        } catch (LlmUnavailableException e) {
            return new Outcome.Retry(e.getMessage());
        } catch (InterruptedException e) {
            // only when stopping: the producer flushes the label as it closes, or the next owner labels the feature
            log.warn("stopped waiting for the label of {} to be acknowledged", key);
            Thread.currentThread().interrupt();
            return new Outcome.Skipped();
        } catch (ExecutionException e) {
            log.error("could not write the label of {}: {}", key, e.getCause().getMessage());
            return new Outcome.Retry("its label could not be written");
        } catch (LlmRefusedException e) {
            return new Outcome.Stop(e);
        } catch (RuntimeException e) {
            log.error("labelling {} failed", key, e);
            return new Outcome.Failed(e.getClass().getSimpleName());
        }
    }

    /**
     * Waits, at most {@link LabelConfig.Limits#handoverSeconds}, until no feature of {@code partitions} is
     * in flight: each has been labelled and its label acknowledged, or has failed and been let go.
     */
    private void awaitHandover(Collection<TopicPartition> partitions) {
        long deadline =
                System.nanoTime() + TimeUnit.SECONDS.toNanos(config.limits().handoverSeconds());
        boolean[] first = {true};
        try {
            List<String> left = scheduler.awaitFinished(partitions, deadline, inFlight -> {
                handingOver = inFlight.size();
                if (first[0] && !inFlight.isEmpty() && System.nanoTime() < deadline) {
                    log.info(
                            "handing over {} partition(s) once {} label(s) in flight are written",
                            partitions.size(),
                            inFlight.size());
                }
                first[0] = false;
            });
            if (!left.isEmpty()) {
                log.warn(
                        "handing over {} partition(s) without waiting longer than {} s for {}; their labels will"
                                + " still be written, and the partitions' new owner may label them again",
                        partitions.size(),
                        config.limits().handoverSeconds(),
                        left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            handingOver = 0;
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

        private void giveUp(Collection<TopicPartition> partitions) {
            int due = scheduler.giveUp(partitions);
            if (!running) {
                leftAtStop += due;
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            scheduler.own(partitions);
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
            log.info(
                    "assigned {} partition(s) of {}",
                    partitions.size(),
                    config.topics().features());
        }
    }

    // ---- output

    private void deadLetter(ConsumerRecord<String, byte[]> r, String reason, String detail) {
        counters.deadLettered.incrementAndGet();
        log.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), detail);
        DeadLetter letter =
                DeadLetter.of("label", reason, detail, r.topic() + "-" + r.partition() + "@" + r.offset(), r.value());
        producer.send(new ProducerRecord<>(config.topics().dlq(), r.key(), Json.write(letter)));
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
            var description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .values();
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(TopicAdmin.everyPartition(description, OffsetSpec.latest()))
                    .all()
                    .get(60, TimeUnit.SECONDS)
                    .forEach((tp, info) -> end.put(tp, info.offset()));
            return Map.copyOf(end);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Map.of();
            }
            throw new IllegalStateException(
                    "could not read the end offsets of " + topic + ": "
                            + e.getCause().getMessage(),
                    e);
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
            throw new IllegalArgumentException("the Kafka client setting max.poll.interval.ms (" + given
                    + ") must be at least" + " label.limits.handoverSeconds plus a minute (" + needed + " ms)");
        }
        return p;
    }
}
