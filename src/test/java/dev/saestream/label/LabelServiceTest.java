package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.DeadLetter;
import dev.saestream.kafka.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The labelling service end to end on the real broker, with the offline explainer and the
 * embedding scorer (no network): two instances share the work, every eligible feature gets one
 * label, a restart relabels nothing unchanged, and a material change is relabelled; a feature in
 * flight when its partition moves is still paid for once.
 */
class LabelServiceTest {
    private static final int DOCS = 300;
    /** Members learn of a rebalance at their next heartbeat: 3 s by default, a test need not wait that long. */
    private static final Map<String, Object> FAST_REBALANCE = Map.of("heartbeat.interval.ms", 100);

    @Test
    void labelsEveryEligibleFeatureOnceAndAfterARestartOnlyWhatChanged() throws Exception {
        // given fresh topics, a synthetic catalogue and a config pointing at them
        String run = TestKafka.unique("label");
        LabelConfig cfg = topics(run)
                .withRelabel(LabelConfig.DEFAULTS.relabel().withIntervalSeconds(0))
                .withSampling(LabelConfig.DEFAULTS.sampling().withScoreWindows(30, 30));
        try (Admin admin = TestKafka.admin()) {
            Map<String, String> compacted = Map.of("cleanup.policy", "compact");
            TestKafka.createTopics(
                    admin,
                    List.of(
                            new NewTopic(cfg.topics().features(), 4, (short) 1).configs(compacted),
                            new NewTopic(cfg.topics().background(), 2, (short) 1).configs(compacted),
                            new NewTopic(cfg.topics().labels(), 2, (short) 1).configs(compacted),
                            new NewTopic(cfg.topics().dlq(), 1, (short) 1)));
        }
        Map<String, Object> kafka = kafka();
        SyntheticCatalog catalog =
                new SyntheticCatalog("demo-sae", SyntheticCatalog.englishDocs(DOCS), SyntheticCatalog.standardSpecs());
        List<FeatureState> states = new ArrayList<>();
        for (SyntheticCatalog.Spec spec : catalog.specs) {
            states.add(catalog.state(spec.index(), 10, 0, DOCS / 2, 50, 200));
        }
        List<String> eligible = states.stream()
                .filter(s -> s.windows() >= cfg.sampling().minWindows())
                .map(FeatureState::key)
                .toList();
        List<String> tooRare = states.stream()
                .filter(s -> s.windows() < cfg.sampling().minWindows())
                .map(FeatureState::key)
                .toList();
        assertThat(eligible).hasSizeGreaterThan(10);
        assertThat(tooRare).isNotEmpty();

        // when two instances run in one group, and the catalogue is written once both have partitions
        Instance a = Instance.start(cfg, kafka);
        Instance b = Instance.start(cfg, kafka);
        await(
                () -> a.progress().partitions() > 0
                        && b.progress().partitions() > 0
                        && a.progress().partitions() + b.progress().partitions() == 4
                        && a.progress().ready()
                        && b.progress().ready(),
                "both instances assigned and ready");
        try (KafkaProducer<String, byte[]> p = producer(kafka)) {
            for (BackgroundWindow w : catalog.background(400, 3)) {
                p.send(new ProducerRecord<>(cfg.topics().background(), w.id(), Json.write(w)));
            }
            p.flush();
        }
        // in a transaction, as the catalog writes them: the commit markers take offsets too
        Map<String, Object> transactional = new HashMap<>(kafka);
        transactional.put("transactional.id", run + "-catalog");
        try (KafkaProducer<String, byte[]> p = producer(transactional)) {
            p.initTransactions();
            p.beginTransaction();
            for (FeatureState s : states) {
                p.send(new ProducerRecord<>(cfg.topics().features(), s.key(), Json.write(s)));
            }
            p.send(new ProducerRecord<>(cfg.topics().features(), "demo-sae/99", "{not json".getBytes()));
            p.commitTransaction();
        }
        await(
                () -> a.progress().labelled() + b.progress().labelled() >= eligible.size()
                        && a.progress().featuresRead() + b.progress().featuresRead() >= states.size() + 1
                        && idle(a)
                        && idle(b),
                "as many labels as eligible features, and both idle");
        try (Admin admin = TestKafka.admin()) {
            await(
                    () -> lag(admin, cfg.topics().groupId(), cfg.topics().features()) == 0,
                    "the group's committed offsets at the end of the features topic, past its commit markers");
        }

        // then every eligible feature has exactly one label, with its evidence and an embedding score
        Map<String, List<Label>> labels = labelsByKey(cfg, kafka);
        assertThat(labels.keySet()).containsExactlyInAnyOrderElementsOf(eligible);
        for (String key : eligible) {
            assertThat(labels.get(key)).as(key).hasSize(1);
            Label l = labels.get(key).get(0);
            assertThat(l.status()).isEqualTo(Label.Status.OK);
            assertThat(l.explanation()).startsWith("Fires on");
            assertThat(l.explainer().kind()).isEqualTo("offline");
            assertThat(l.basis().version()).isEqualTo(10);
            Score e = l.scores().get("embedding");
            assertThat(e.n()).isGreaterThan(30);
            assertThat(e.ciLow()).isLessThanOrEqualTo(e.value());
            assertThat(l.cost().calls()).isZero();
        }
        assertThat(a.progress().labelled())
                .as("instance a did some of the work")
                .isPositive();
        assertThat(b.progress().labelled())
                .as("instance b did some of the work")
                .isPositive();
        assertThat(a.progress().labelled() + b.progress().labelled()).isEqualTo(eligible.size());
        // and the bad record went to the dead-letter topic
        List<ConsumerRecord<String, byte[]>> dead = readAll(cfg.topics().dlq(), kafka);
        assertThat(dead).hasSize(1);
        assertThat(Json.read(dead.get(0).value(), DeadLetter.class).stage()).isEqualTo("label");
        stop(a, b);

        // when one instance restarts over the same topics
        Instance c = Instance.start(cfg, kafka);
        await(() -> c.progress().featuresRead() >= states.size() + 1 && idle(c), "restarted instance caught up");
        // then nothing is relabelled
        assertThat(c.progress().labelled()).isZero();
        assertThat(readAll(cfg.topics().labels(), kafka)).hasSize(eligible.size());
        // and the bad record, read again, is not dead-lettered again
        assertThat(readAll(cfg.topics().dlq(), kafka)).hasSize(1);

        // when feature 1's top windows are replaced and feature 0 only gets a new version
        FeatureState moved = catalog.state(1, 11, DOCS / 2, DOCS, 50, 200);
        FeatureState same = new FeatureState(
                states.get(0).saeId(),
                0,
                11,
                states.get(0).tokensSeen(),
                states.get(0).activations(),
                states.get(0).documents(),
                states.get(0).windows(),
                states.get(0).sum(),
                states.get(0).max(),
                states.get(0).histogram(),
                states.get(0).top(),
                states.get(0).reservoir(),
                states.get(0).updatedMs() + 1);
        try (KafkaProducer<String, byte[]> p = producer(kafka)) {
            p.send(new ProducerRecord<>(cfg.topics().features(), same.key(), Json.write(same)));
            p.send(new ProducerRecord<>(cfg.topics().features(), moved.key(), Json.write(moved)));
            p.flush();
        }
        await(
                () -> c.progress().labelled() >= 1 && c.progress().featuresRead() >= states.size() + 3 && idle(c),
                "a relabel, and idle again");
        stop(c);

        // then only the changed one got a new label, with the old one in its history
        Map<String, List<Label>> after = labelsByKey(cfg, kafka);
        assertThat(after.get(same.key())).hasSize(1);
        Label relabelled = after.get(moved.key()).get(1);
        assertThat(relabelled.basis().version()).isEqualTo(11);
        assertThat(relabelled.history()).hasSize(1);
        assertThat(relabelled.history().get(0).version()).isEqualTo(10);
        assertThat(c.progress().labelled()).isEqualTo(1);
    }

    @Test
    void aFeatureInFlightWhenItsPartitionMovesIsLabelledOnce() throws Exception {
        // given two features on the two partitions of the features topic, and instance A alone in the group
        String run = TestKafka.unique("handover");
        LabelConfig cfg = topics(run);
        createTopics(cfg, 2);
        Map<String, Object> kafka = kafka();
        SyntheticCatalog catalog =
                new SyntheticCatalog("demo-sae", SyntheticCatalog.englishDocs(DOCS), SyntheticCatalog.standardSpecs());
        List<FeatureState> states = List.of(catalog.state(0, 10), catalog.state(1, 10));
        // A's explainer holds every feature until released; B's answers at once
        HeldExplainer held = new HeldExplainer();
        Instance a = Instance.start(cfg, kafka, held, r -> {});
        await(() -> a.progress().partitions() == 2 && a.progress().ready(), "A assigned and ready");
        try (KafkaProducer<String, byte[]> p = producer(kafka)) {
            for (int i = 0; i < states.size(); i++) {
                p.send(new ProducerRecord<>(
                        cfg.topics().features(), i, states.get(i).key(), Json.write(states.get(i))));
            }
        }
        assertThat(held.started.await(60, TimeUnit.SECONDS))
                .as("A is labelling both features")
                .isTrue();

        // when B joins while both labels are in flight at A, and B's ledger is slow to read A's labels
        CountDownLatch ledgerRead = new CountDownLatch(1);
        CountDownLatch ledgerTapped = new CountDownLatch(1);
        Instance b = Instance.start(cfg, kafka, new HeldExplainer(0), r -> {
            ledgerTapped.countDown();
            try {
                ledgerRead.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // A holds the rebalance for its labels in flight (without the handover, B gets a partition and labels it now),
        // and B has read the ledger as it was at its start, without A's labels
        await(
                () -> a.progress().handingOver() > 0 && b.progress().ready()
                        || b.progress().labelled() > 0,
                "A handing over and B ready, or B labelling");
        int handedOver = a.progress().handingOver();
        held.release.countDown();
        // B holds its new partition until it has read A's labels (without that, B labels from a ledger that lacks them)
        await(
                () -> ledgerTapped.getCount() == 0
                                && b.progress().partitions() > 0
                                && !b.progress().ready()
                        || b.progress().labelled() > 0,
                "B reading the ledger before scheduling, or B labelling");
        ledgerRead.countDown();
        await(
                () -> b.progress().partitions() > 0
                        && a.progress().partitions() + b.progress().partitions() == 2
                        && b.progress().featuresRead() > 0
                        && idle(a)
                        && idle(b),
                "both idle, one partition each");
        stop(a, b);

        // then each feature version was labelled once, by A, which waited for both labels before handing over
        Map<String, List<Label>> labels = labelsByKey(cfg, kafka);
        assertThat(labels.keySet())
                .containsExactlyInAnyOrder(states.get(0).key(), states.get(1).key());
        labels.forEach((key, l) -> assertThat(l).as(key).hasSize(1));
        assertThat(a.progress().labelled()).isEqualTo(2);
        assertThat(b.progress().labelled()).isZero();
        assertThat(held.calls.get()).isEqualTo(2);
        // the classic protocol's default (range) assignor is eager: A gives up both partitions, and waits for both
        // labels
        assertThat(handedOver).isEqualTo(2);
    }

    @Test
    void aStopCountsWhatWasDueAndTheNextStartLabelsExactlyThat() throws Exception {
        // given six features on one partition, and an instance whose explainer holds the first two it takes
        String run = TestKafka.unique("stop");
        LabelConfig cfg = topics(run);
        createTopics(cfg, 1);
        Map<String, Object> kafka = kafka();
        SyntheticCatalog catalog =
                new SyntheticCatalog("demo-sae", SyntheticCatalog.englishDocs(DOCS), SyntheticCatalog.standardSpecs());
        List<FeatureState> states = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            states.add(catalog.state(i, 10));
        }
        // a service that has not read the catalogue yet does not know what is pending
        BackgroundIndex none = new BackgroundIndex();
        LabelService notStarted = new LabelService(
                cfg,
                kafka,
                none,
                new Labeller(cfg, new HeldExplainer(0), List.of(), none, Map.of(), System::currentTimeMillis));
        assertThat(notStarted.summary())
                .isEqualTo("labels: 0 written, 0 failed, pending not known yet (reading the catalogue);"
                        + " LLM calls 0, tokens 0 in / 0 out");
        HeldExplainer held = new HeldExplainer();
        Instance a = Instance.start(cfg, kafka, held, r -> {});
        await(() -> a.progress().partitions() == 1 && a.progress().ready(), "A assigned and ready");
        assertThat(a.service().summary()).startsWith("labels: 0 written, 0 failed, 0 pending;");
        try (KafkaProducer<String, byte[]> p = producer(kafka)) {
            for (FeatureState s : states) {
                p.send(new ProducerRecord<>(cfg.topics().features(), s.key(), Json.write(s)));
            }
        }
        assertThat(held.started.await(60, TimeUnit.SECONDS)).isTrue();
        await(() -> a.progress().inFlight() == 2 && a.progress().pending() == 4, "two labels in flight and four due");

        // when it stops (as on Ctrl-C) and the two in flight finish during the handover
        a.service().close();
        await(() -> a.progress().handingOver() == 2, "A handing over its two labels in flight");
        held.release.countDown();
        a.thread().join(30_000);
        assertThat(a.thread().isAlive()).isFalse();

        // then the summary counts the four that were due, not the empty queue left after the handover
        assertThat(a.progress().labelled()).isEqualTo(2);
        assertThat(a.progress().pending()).isZero();
        assertThat(a.progress().leftAtStop()).isEqualTo(4);
        assertThat(a.service().summary()).startsWith("labels: 2 written, 0 failed, 4 pending;");

        // and the next start labels exactly those four
        Instance b = Instance.start(cfg, kafka, new HeldExplainer(0), r -> {});
        await(() -> b.progress().labelled() == 4 && idle(b), "the next start labelled what was left");
        stop(b);
        assertThat(b.progress().leftAtStop()).isZero();
        assertThat(b.service().summary()).startsWith("labels: 4 written, 0 failed, 0 pending;");
        Map<String, List<Label>> labels = labelsByKey(cfg, kafka);
        assertThat(labels.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        states.stream().map(FeatureState::key).toList());
        labels.forEach((key, l) -> assertThat(l).as(key).hasSize(1));
    }

    /** An explainer that names the feature, once {@code release} opens; {@code started} counts calls down. */
    private static final class HeldExplainer implements Explainer {
        final CountDownLatch started;
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        HeldExplainer() {
            this(2);
        }

        HeldExplainer(int hold) {
            started = new CountDownLatch(hold);
            if (hold == 0) {
                release.countDown();
            }
        }

        @Override
        public Label.ExplainerInfo info() {
            return new Label.ExplainerInfo("held", null, "test");
        }

        @Override
        public Explanation explain(FeatureState state, List<FeatureWindow> examples, CostMeter meter) {
            calls.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Explanation.of("feature " + state.key());
        }
    }

    /** The run's topics: the features topic with {@code featurePartitions} partitions, the others with one. */
    private static void createTopics(LabelConfig cfg, int featurePartitions) throws Exception {
        try (Admin admin = TestKafka.admin()) {
            TestKafka.createTopics(
                    admin,
                    List.of(
                            new NewTopic(cfg.topics().features(), featurePartitions, (short) 1),
                            new NewTopic(cfg.topics().background(), 1, (short) 1),
                            new NewTopic(cfg.topics().labels(), 1, (short) 1),
                            new NewTopic(cfg.topics().dlq(), 1, (short) 1)));
        }
    }

    private static Map<String, Object> kafka() {
        Map<String, Object> kafka = new HashMap<>(FAST_REBALANCE);
        kafka.put("bootstrap.servers", TestKafka.bootstrapServers());
        return kafka;
    }

    private static boolean idle(Instance i) {
        LabelService.Status p = i.progress();
        return p.ready() && p.pending() == 0 && p.inFlight() == 0;
    }

    /** A service on its own thread. */
    private record Instance(LabelService service, Thread thread) {
        static Instance start(LabelConfig cfg, Map<String, Object> kafka) throws Exception {
            BackgroundIndex background = new BackgroundIndex();
            return start(new LabelService(cfg, kafka, background, Labeller.create(cfg, background, Map.of())));
        }

        /** An instance explaining with {@code explainer}, scoring nothing, whose ledger reads pass through {@code ledgerTap}. */
        static Instance start(
                LabelConfig cfg,
                Map<String, Object> kafka,
                Explainer explainer,
                java.util.function.Consumer<ConsumerRecord<String, byte[]>> ledgerTap) {
            BackgroundIndex background = new BackgroundIndex();
            Labeller labeller =
                    new Labeller(cfg, explainer, List.of(), background, Map.of(), System::currentTimeMillis);
            return start(new LabelService(cfg, kafka, background, labeller, ledgerTap));
        }

        private static Instance start(LabelService service) {
            Thread t = new Thread(service::run, "label-service-under-test");
            t.start();
            return new Instance(service, t);
        }

        LabelService.Status progress() {
            return service.progress();
        }
    }

    /** Stops the instances together, so that none takes over the others' partitions on the way. */
    private static void stop(Instance... instances) throws InterruptedException {
        for (Instance i : instances) {
            i.service().close();
        }
        for (Instance i : instances) {
            i.thread().join(30_000);
            assertThat(i.thread().isAlive()).isFalse();
        }
    }

    private static long lag(Admin admin, String groupId, String topic) {
        try {
            return dev.saestream.kafka.ConsumerLag.of(admin, groupId, java.util.Set.of(topic));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> kafka) {
        return new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer());
    }

    static Map<String, List<Label>> labelsByKey(LabelConfig cfg, Map<String, Object> kafka) {
        Map<String, List<Label>> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(cfg.topics().labels(), kafka)) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Json.read(r.value(), Label.class));
        }
        out.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(Label::createdMs)));
        return out;
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String topic, Map<String, Object> kafka) {
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(kafka, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The defaults on this run's own topics and consumer group, labelling two features at once. */
    static LabelConfig topics(String run) {
        return LabelConfig.DEFAULTS
                .withTopics(new LabelConfig.TopicNames(
                        run, run + ".features", run + ".background", run + ".labels", run + ".dlq"))
                .withLimits(LabelConfig.DEFAULTS.limits().withConcurrency(2));
    }
}
