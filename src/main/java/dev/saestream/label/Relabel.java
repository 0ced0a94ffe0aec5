package dev.saestream.label;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code saestream label --reprocess}: labels every feature of one catalogue that has enough
 * windows again, with the labeller given (another explainer, another LLM), as a batch beside the
 * labelling service. Each new label keeps the old ones in its history. A feature whose latest label
 * is already this explainer's at the feature's current version is skipped, so a relabel stopped
 * half-way pays only for the rest when started again.
 *
 * <p>Before anything is paid for, {@link #estimate} builds every prompt the relabel would send (the
 * same code builds them as sends them) and counts its tokens.
 */
public final class Relabel {
    private static final Logger log = LoggerFactory.getLogger(Relabel.class);

    /**
     * What an explanation is assumed to be when the feature has none yet: the explainer is asked for
     * one phrase of at most 15 words, and this one is 11. Scoring prompts carry the explanation.
     */
    static final String TYPICAL_EXPLANATION = "the word \"Parliament\" and other names of European Union institutions";

    private final LabelConfig config;
    private final Map<String, Object> kafka;
    private final String saeId;
    private final Labeller labeller;
    private final TreeMap<Integer, byte[]> states;
    private final Map<Integer, Label> labels;
    /** Mean wall time of one call by this explainer's model in earlier labels, or null when it has made none. */
    private final Double millisPerCall;

    private final List<Integer> todo = new ArrayList<>();
    private final int done;
    private final int tooFew;
    private final AtomicLong labelled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong inputTokens = new AtomicLong();
    private final AtomicLong outputTokens = new AtomicLong();
    private volatile boolean running = true;

    private Relabel(
            LabelConfig config,
            Map<String, Object> kafka,
            String saeId,
            Labeller labeller,
            TreeMap<Integer, byte[]> states,
            Map<Integer, Label> labels,
            Double millisPerCall) {
        this.config = config;
        this.kafka = Map.copyOf(kafka);
        this.saeId = saeId;
        this.labeller = labeller;
        this.states = states;
        this.labels = labels;
        this.millisPerCall = millisPerCall;
        Label.ExplainerInfo who = labeller.explainerInfo();
        int already = 0;
        int few = 0;
        for (Map.Entry<Integer, byte[]> e : states.entrySet()) {
            FeatureState s;
            try {
                s = state(e.getKey());
            } catch (RuntimeException bad) {
                // the labelling service dead-letters such a record; a relabel only passes over it
                log.warn(
                        "skipping feature {} of {}: its state does not read ({})", e.getKey(), saeId, bad.getMessage());
                continue;
            }
            Label last = labels.get(e.getKey());
            if (s.windows() < config.sampling().minWindows()) {
                few++;
            } else if (last != null
                    && who.equals(last.explainer())
                    && last.basis().version() >= s.version()) {
                already++;
            } else {
                todo.add(e.getKey());
            }
        }
        this.done = already;
        this.tooFew = few;
    }

    /**
     * Reads {@code saeId}'s features and labels as they are now, and the background into the index
     * {@code labeller} samples from; the other features' explanations become its null baselines.
     *
     * @throws IllegalArgumentException when the SAE has no feature on the features topic
     */
    public static Relabel read(
            LabelConfig config,
            Map<String, Object> kafka,
            BackgroundIndex background,
            Labeller labeller,
            String saeId) {
        Duration timeout = Duration.ofSeconds(120);
        TreeMap<Integer, byte[]> states = new TreeMap<>();
        TreeSet<String> others = new TreeSet<>();
        TopicFollower.readToEnd(
                config.topics().features(),
                kafka,
                r -> {
                    String sae = saeOf(r.key());
                    if (sae == null) {
                        log.warn(
                                "skipping a feature record keyed '{}' at {}-{}@{}: not saeId/index",
                                r.key(),
                                r.topic(),
                                r.partition(),
                                r.offset());
                    } else if (!sae.equals(saeId)) {
                        others.add(sae);
                    } else if (r.value() == null) {
                        states.remove(FeatureKey.index(r.key()));
                    } else {
                        states.put(FeatureKey.index(r.key()), r.value());
                    }
                },
                timeout);
        if (states.isEmpty()) {
            throw new IllegalArgumentException(
                    "SAE '" + saeId + "' has no features on " + config.topics().features() + "; "
                            + (others.isEmpty()
                                    ? "the topic holds none yet (run the pipeline first)"
                                    : "the SAE ids there are " + others));
        }
        TopicFollower.readToEnd(
                config.topics().background(),
                kafka,
                r -> background.put(r.key(), r.value() == null ? null : Json.read(r.value(), BackgroundWindow.class)),
                timeout);
        Map<Integer, Label> labels = new HashMap<>();
        Label.ExplainerInfo who = labeller.explainerInfo();
        long[] timed = new long[2];
        TopicFollower.readToEnd(
                config.topics().labels(),
                kafka,
                r -> {
                    if (r.value() == null) {
                        if (saeId.equals(saeOf(r.key()))) {
                            labels.remove(FeatureKey.index(r.key()));
                        }
                        return;
                    }
                    Label l;
                    try {
                        l = Json.read(r.value(), Label.class);
                    } catch (RuntimeException e) {
                        log.warn(
                                "skipping an unreadable label at {}-{}@{}: {}",
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                e.getMessage());
                        return;
                    }
                    labeller.remember(l);
                    if (l.saeId().equals(saeId)) {
                        labels.put(l.index(), l);
                    }
                    if (who.equals(l.explainer())) {
                        for (Cost.Call c : l.cost().perCall()) {
                            timed[0]++;
                            timed[1] += c.millis();
                        }
                    }
                },
                timeout);
        log.info(
                "read {} features and {} labels of {}, and {} background windows",
                states.size(),
                labels.size(),
                saeId,
                background.size());
        return new Relabel(
                config, kafka, saeId, labeller, states, labels, timed[0] == 0 ? null : (double) timed[1] / timed[0]);
    }

    public String saeId() {
        return saeId;
    }

    /** The SAE id of a feature key, or null when the key is not {@code saeId/index}. */
    private static String saeOf(String key) {
        if (key == null) {
            return null;
        }
        try {
            FeatureKey.index(key);
            return FeatureKey.saeId(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Calls and tokens of one kind of call. */
    public record KindEstimate(long calls, long inputTokens, long outputTokens) {
        public double outputPerCall() {
            return calls == 0 ? 0 : (double) outputTokens / calls;
        }
    }

    /**
     * What the relabel will cost.
     *
     * @param features      features to label
     * @param alreadyDone   features whose latest label is already this explainer's at their current version: skipped
     * @param tooFew        features with fewer windows than label.sampling.minWindows: skipped
     * @param calls         LLM calls, if every answer parses (a malformed answer is asked again)
     * @param inputTokens   their prompt tokens, counted on the prompts themselves (o200k, OpenAI's message overhead)
     * @param outputTokens  their answer tokens, counted on the shortest answer each schema accepts
     * @param byKind        the same per kind of call
     * @param millisPerCall mean wall time of one call by this model in earlier labels; null when unknown
     * @param concurrency   calls in flight at once
     * @param limitSeconds  the least time label.limits.requestsPerMinute and label.limits.tokensPerHour allow for it (0 without limits)
     */
    public record Estimate(
            int features,
            int alreadyDone,
            int tooFew,
            long calls,
            long inputTokens,
            long outputTokens,
            Map<String, KindEstimate> byKind,
            Double millisPerCall,
            int concurrency,
            double limitSeconds) {
        public Estimate {
            byKind = Ordered.copy(byKind);
        }

        /** Wall time at the observed rate, or at the call limits when they are slower; null when there is no rate. */
        public Double seconds() {
            return millisPerCall == null ? null : Math.max(limitSeconds, calls * millisPerCall / concurrency / 1000);
        }
    }

    /** Builds every prompt the relabel would send now and counts its tokens; sends nothing. */
    public Estimate estimate() {
        Map<String, long[]> byKind = new LinkedHashMap<>();
        long in = 0;
        long out = 0;
        long n = 0;
        for (int index : todo) {
            Label last = labels.get(index);
            String expected =
                    last != null && last.status() == Label.Status.OK ? last.explanation() : TYPICAL_EXPLANATION;
            for (PlannedCall c : labeller.plan(state(index), expected)) {
                long i = PromptTokens.input(c.prompt());
                long o = PromptTokens.output(c.answer());
                long[] k = byKind.computeIfAbsent(c.kind(), x -> new long[3]);
                k[0]++;
                k[1] += i;
                k[2] += o;
                in += i;
                out += o;
                n++;
            }
        }
        Map<String, KindEstimate> kinds = new LinkedHashMap<>();
        byKind.forEach((kind, k) -> kinds.put(kind, new KindEstimate(k[0], k[1], k[2])));
        double limits = Math.max(
                config.limits().requestsPerMinute() == 0
                        ? 0
                        : n * 60.0 / config.limits().requestsPerMinute(),
                config.limits().tokensPerHour() == 0
                        ? 0
                        : (in + out) * 3600.0 / config.limits().tokensPerHour());
        return new Estimate(
                todo.size(),
                done,
                tooFew,
                n,
                in,
                out,
                kinds,
                millisPerCall,
                config.limits().concurrency(),
                limits);
    }

    /** A live count of the work, for the progress bar and the summary. */
    public record Progress(
            int total, long labelled, long failed, long unavailable, long calls, long inputTokens, long outputTokens) {
        public long finished() {
            return labelled + failed + unavailable;
        }
    }

    public Progress progress() {
        return new Progress(
                todo.size(),
                labelled.get(),
                failed.get(),
                unavailable.get(),
                calls.get(),
                inputTokens.get(),
                outputTokens.get());
    }

    /**
     * Labels every feature to do, {@link LabelConfig.Limits#concurrency} at once, writing each label before
     * the next; returns when all are done or {@link #stop} was called and the labels in flight are
     * written.
     *
     * @throws LlmRefusedException when the LLM refuses the key or the model: nothing more can be labelled
     */
    public void run() throws InterruptedException {
        Queue<Integer> queue = new ConcurrentLinkedQueue<>(todo);
        List<Thread> workers = new ArrayList<>();
        RuntimeException[] fatal = new RuntimeException[1];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                LabelService.producerProps(kafka), new StringSerializer(), new ByteArraySerializer())) {
            for (int w = 0; w < config.limits().concurrency(); w++) {
                Thread t = new Thread(
                        () -> {
                            try {
                                for (Integer index; running && (index = queue.poll()) != null; ) {
                                    relabel(index, producer);
                                }
                            } catch (RuntimeException e) {
                                synchronized (fatal) {
                                    fatal[0] = fatal[0] == null ? e : fatal[0];
                                }
                                running = false;
                            }
                        },
                        "relabel-worker");
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
            for (Thread t : workers) {
                t.join();
            }
        }
        if (fatal[0] != null) {
            throw fatal[0];
        }
    }

    private void relabel(int index, KafkaProducer<String, byte[]> producer) {
        String key = FeatureKey.of(saeId, index);
        try {
            Label label = labeller.label(state(index), labels.get(index));
            producer.send(new ProducerRecord<>(config.topics().labels(), key, Json.write(label)))
                    .get();
            (label.status() == Label.Status.OK ? labelled : failed).incrementAndGet();
            calls.addAndGet(label.cost().calls());
            inputTokens.addAndGet(label.cost().inputTokens());
            outputTokens.addAndGet(label.cost().outputTokens());
        } catch (LlmUnavailableException e) {
            unavailable.incrementAndGet();
            log.warn("{} not relabelled (a later run labels it): {}", key, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the label of " + key, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not write the label of " + key + " to "
                            + config.topics().labels() + ": " + e.getCause().getMessage(),
                    e);
        }
    }

    /** Starts no more features; the ones in flight are labelled and written. */
    public void stop() {
        running = false;
    }

    private FeatureState state(int index) {
        return Json.read(states.get(index), FeatureState.class);
    }
}
