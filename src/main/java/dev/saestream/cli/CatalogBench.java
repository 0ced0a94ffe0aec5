package dev.saestream.cli;

import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.CatalogScope;
import dev.saestream.encode.CodesFile;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.StreamsProps;
import dev.saestream.kafka.TopicTraffic;
import dev.saestream.kafka.Topics;
import dev.saestream.pipeline.KafkaSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One run of {@code bench catalog}: the catalog stage alone on a fresh embedded broker, fed codes
 * records made beforehand, measured from the broker and the JVM until it has caught up and settled.
 */
final class CatalogBench {
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private CatalogBench() {}

    /** How the catalog meets its input: from an empty or a warm catalogue, as a backlog or paced. */
    enum Scenario {
        YOUNG_BACKLOG,
        WARM_BACKLOG,
        YOUNG_PACED,
        WARM_PACED;

        boolean warm() {
            return this == WARM_BACKLOG || this == WARM_PACED;
        }

        boolean paced() {
            return this == YOUNG_PACED || this == WARM_PACED;
        }

        String label() {
            return name().toLowerCase().replace('_', '-');
        }

        static Scenario of(String label) {
            for (Scenario s : values()) {
                if (s.label().equals(label.strip())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scenario '" + label + "'; the scenarios are young-backlog,"
                    + " warm-backlog, young-paced, warm-paced");
        }
    }

    /**
     * What one run measured, from the first measured record (or, for a young backlog, the catalog's
     * start) until the catalog had caught up and then settled.
     *
     * @param documents      codes records the catalog read in the measured part
     * @param tokens         their tokens
     * @param shards         feature shards (partitions of the repartition topic)
     * @param readyNanos     a young backlog: until every instance was running (started, in its group); else
     *                       until the last measured record was sent
     * @param catchUpNanos   until every record was processed and committed
     * @param settleNanos    from then until every changed feature was emitted and the statistics checkpointed
     * @param catalogCpu     CPU time of the catalog's stream threads, until caught up and then settled
     * @param processCpu     CPU time of the whole JVM (broker, producer, GC and JIT included), likewise
     * @param catalogCpuCaughtUp CPU time of the catalog's stream threads until caught up: the running cost,
     *                       without the final emission of every changed feature that settling is
     * @param processCpuCaughtUp CPU time of the whole JVM until caught up
     * @param groupsCaughtUp the rest of the JVM's CPU time until caught up, by kind of thread
     * @param groups         the same with settling
     * @param shardRecords   records the catalog sent through its repartition topic
     * @param written        per topic, what the broker received (the codes topic included)
     * @param applicationId  the catalog's application id, the prefix of its internal topics
     */
    record Figures(
            Scenario scenario,
            int instances,
            long documents,
            long tokens,
            int shards,
            long readyNanos,
            long catchUpNanos,
            long settleNanos,
            long catalogCpu,
            long processCpu,
            long catalogCpuCaughtUp,
            long processCpuCaughtUp,
            ThreadGroupCpu groupsCaughtUp,
            ThreadGroupCpu groups,
            long shardRecords,
            Map<String, TopicTraffic.Written> written,
            String applicationId) {
        boolean changelog(String topic) {
            return topic.startsWith(applicationId + "-") && topic.endsWith("-changelog");
        }

        boolean repartition(String topic) {
            return topic.startsWith(applicationId + "-") && topic.endsWith("-repartition");
        }

        /** The topics the catalog writes for others: neither its input nor its internal topics. */
        List<String> outputs() {
            return written.keySet().stream()
                    .filter(t -> !t.equals(Topics.CODES) && !changelog(t) && !repartition(t))
                    .toList();
        }

        /** The changelogs' records, payload and disk bytes summed. */
        TopicTraffic.Written changelogs() {
            long records = 0;
            long payload = 0;
            long disk = 0;
            for (Map.Entry<String, TopicTraffic.Written> e : written.entrySet()) {
                if (changelog(e.getKey())) {
                    records += e.getValue().records();
                    payload += e.getValue().payloadBytes();
                    disk += e.getValue().diskBytes();
                }
            }
            return new TopicTraffic.Written(records, payload, disk);
        }

        double seconds() {
            return (catchUpNanos + settleNanos) / 1e9;
        }
    }

    /**
     * Runs {@code scenario} with {@code instances} catalog instances (one application id, a state
     * directory each) on a fresh broker under {@code dir}: {@code warmup} records catalogued and
     * settled first when warm, then {@code measured} as a backlog or at {@code rate} tokens/s.
     */
    static Figures run(
            Scenario scenario,
            int instances,
            List<CodesFile.Entry> warmup,
            List<CodesFile.Entry> measured,
            double rate,
            CatalogConfig base,
            ClusterConfig cluster,
            Path dir,
            Consumer<String> say)
            throws Exception {
        String appId = "bench-catalog-" + scenario.label() + "-" + instances;
        CatalogConfig config = base.withApplicationId(appId);
        BrokerConfig broker =
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of());
        try (KafkaSession session = KafkaSession.startOrConnect(cluster, broker);
                Admin admin = session.admin();
                KafkaProducer<String, byte[]> producer = producer(session)) {
            session.createTopics();
            Instances catalog = new Instances(new ArrayList<>(), config, session, admin, dir, instances);
            try {
                return measure(scenario, catalog, producer, warmup, measured, rate, say);
            } finally {
                // before the broker goes: an instance without its broker would wait out its close timeout
                catalog.close();
            }
        }
    }

    private static Figures measure(
            Scenario scenario,
            Instances catalog,
            KafkaProducer<String, byte[]> producer,
            List<CodesFile.Entry> warmup,
            List<CodesFile.Entry> measured,
            double rate,
            Consumer<String> say)
            throws Exception {
        Admin admin = catalog.admin();
        String appId = catalog.config().applicationId();
        List<CatalogApp> apps = catalog.apps();
        if (scenario.warm()) {
            send(producer, warmup, 0);
            catalog.start();
            catalog.awaitCaughtUp();
            catalog.awaitSettled();
            say.accept("warm: " + warmup.size() + " documents catalogued and settled");
        } else if (scenario.paced()) {
            catalog.start();
            catalog.awaitRunning();
        } else {
            send(producer, measured, 0);
        }
        TopicTraffic before = TopicTraffic.of(admin);
        long documents0 = catalog.sum(a -> a.counters().documents.get());
        long shards0 = catalog.sum(a -> a.counters().shardRecords.get());
        long threads0 = streamThreadCpu(appId);
        long cpu0 = PipelineBenchCommand.processCpuNanos();
        ThreadGroupCpu groups0 = ThreadGroupCpu.now();
        long start = System.nanoTime();
        if (apps.isEmpty()) {
            catalog.start();
            catalog.awaitRunning();
        } else {
            send(producer, measured, scenario.paced() ? rate : 0);
        }
        long ready = System.nanoTime();
        catalog.awaitCaughtUp();
        long caughtUp = System.nanoTime();
        long threadsCaughtUp = streamThreadCpu(appId) - threads0;
        long cpuCaughtUp = PipelineBenchCommand.processCpuNanos() - cpu0;
        ThreadGroupCpu groupsCaughtUp = ThreadGroupCpu.now().since(groups0);
        catalog.awaitSettled();
        long settled = System.nanoTime();
        long threads = streamThreadCpu(appId) - threads0;
        long cpu = PipelineBenchCommand.processCpuNanos() - cpu0;
        long tokens = measured.stream().mapToLong(CodesFile.Entry::tokens).sum();
        return new Figures(
                scenario,
                catalog.count(),
                catalog.sum(a -> a.counters().documents.get()) - documents0,
                tokens,
                apps.get(0).shards(),
                ready - start,
                caughtUp - start,
                settled - caughtUp,
                threads,
                cpu,
                threadsCaughtUp,
                cpuCaughtUp,
                groupsCaughtUp,
                ThreadGroupCpu.now().since(groups0),
                catalog.sum(a -> a.counters().shardRecords.get()) - shards0,
                TopicTraffic.of(admin).since(before, catalog.session().clientConfig()),
                appId);
    }

    private static KafkaProducer<String, byte[]> producer(KafkaSession session) {
        Map<String, Object> props = new java.util.HashMap<>(session.clientConfig());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends {@code entries} to saestream.codes, at {@code rate} tokens/s when positive, else as fast as it goes. */
    private static void send(KafkaProducer<String, byte[]> producer, List<CodesFile.Entry> entries, double rate)
            throws InterruptedException {
        long start = System.nanoTime();
        long tokens = 0;
        for (CodesFile.Entry e : entries) {
            producer.send(new ProducerRecord<>(Topics.CODES, e.key(), e.value()));
            tokens += e.tokens();
            if (rate > 0) {
                // the document is out once its tokens are due, as behind a transformer of that speed
                long due = start + (long) (tokens / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
        producer.flush();
    }

    /** CPU time of the live stream threads of application {@code appId}. */
    static long streamThreadCpu(String appId) {
        return PipelineBenchCommand.cpuByStage(List.of(appId + "-")).getOrDefault(appId + "-", 0L);
    }

    /** The catalog instances of one run: one application id, a state directory each. */
    private record Instances(
            List<CatalogApp> apps, CatalogConfig config, KafkaSession session, Admin admin, Path dir, int count) {
        void start() throws Exception {
            for (int i = 0; i < count; i++) {
                String state = dir.resolve("streams-" + i).toString();
                apps.add(CatalogApp.start(
                        config.withState(config.persistentWindows(), state),
                        CatalogScope.ALL,
                        session.clientConfig(),
                        state,
                        null,
                        0));
            }
        }

        long sum(java.util.function.ToLongFunction<CatalogApp> f) {
            return apps.stream().mapToLong(f).sum();
        }

        void awaitRunning() throws InterruptedException {
            await("start", () -> apps.stream().allMatch(a -> a.streams().state() == KafkaStreams.State.RUNNING));
        }

        /** Every record read and committed, twice in a row (an instance may be between poll and commit). */
        void awaitCaughtUp() throws InterruptedException {
            Set<String> inputs = Set.of(Topics.CODES, config.applicationId() + "-catalog-shards-repartition");
            int[] quiet = {0};
            await("catch up", () -> {
                boolean now = apps.stream()
                                .allMatch(a -> a.streams().state() == KafkaStreams.State.RUNNING
                                        && !a.restore().restoring())
                        && ConsumerLag.caughtUp(admin, config.applicationId(), inputs);
                quiet[0] = now ? quiet[0] + 1 : 0;
                return quiet[0] >= 2;
            });
        }

        /** After {@link #awaitCaughtUp}: every instance has emitted every changed feature and checkpointed. */
        void awaitSettled() throws InterruptedException {
            await(
                    "settle",
                    () -> apps.stream()
                            .allMatch(
                                    a -> a.counters().settled() && !a.restore().restoring()));
        }

        private void await(String what, Check done) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.met()) {
                for (CatalogApp a : apps) {
                    KafkaStreams.State s = a.streams().state();
                    if (s == KafkaStreams.State.ERROR
                            || s == KafkaStreams.State.PENDING_ERROR
                            || s == KafkaStreams.State.NOT_RUNNING) {
                        throw new IllegalStateException("a catalog instance stopped (" + s + "); see the log");
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the catalog did not " + what + " within " + TIMEOUT.toMinutes() + " minutes");
                }
                Thread.sleep(100);
            }
        }

        /** Closes the instances, all starting at once: each waiting for the last would add their times. */
        void close() {
            apps.forEach(a -> StreamsProps.close(a.streams(), Duration.ZERO));
            apps.forEach(CatalogApp::close);
        }
    }

    private interface Check {
        boolean met() throws InterruptedException;
    }
}
