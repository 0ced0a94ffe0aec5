package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.Europarl;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.TextProducer;
import dev.saestream.sae.Sae;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saestream bench pipeline}: on the same Europarl documents, the transformer alone (cut
 * graph) against the whole {@code run} (embedded broker, producer, encode with the SAE, catalog).
 */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description = {
            "Tokens/s of the transformer alone (cut graph) and of the full pipeline on the same Europarl",
            "documents, their ratio, bytes per token in saestream.codes and repartition records per token.",
            "Uses a fresh embedded broker in a temporary directory."
        })
final class PipelineBenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @Option(names = "--docs", paramLabel = "N", defaultValue = "400", description = "Documents measured (default 400).")
    int docs;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "40",
            description = "Documents run first and not measured (default 40).")
    int warmup;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        EncodeConfig ec = encode.config(settings);
        ModelConfig configured = model.config(settings);
        ModelConfig mc = configured.sharingCores(ec.threads());
        List<String> texts;
        try (Stream<Document> d = Europarl.documents(warmup + docs)) {
            texts = d.map(Document::text).toList();
        }
        List<String> measured = texts.subList(warmup, texts.size());
        Sae sae = Sae.load(Home.resolve(ec.sae()));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%d Europarl documents after %d warm-up; %d encode threads x %d ONNX Runtime threads%n",
                measured.size(), warmup, ec.threads(), mc.threads());

        Rate alone;
        Rate withSae;
        try (Transformer transformer =
                Transformer.open(mc.withHook(SaeDocumentEncoder.hookFor(mc, sae).alias()))) {
            parallel(
                    texts.subList(0, warmup),
                    ec.threads(),
                    t -> transformer.extract(List.of(t)).get(0).size());
            alone = parallel(
                    measured,
                    ec.threads(),
                    t -> transformer.extract(List.of(t)).get(0).size());
        }
        try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(mc, sae, ec)) {
            parallel(
                    texts.subList(0, warmup),
                    ec.threads(),
                    t -> encoder.encode("w", t).size());
            withSae =
                    parallel(measured, ec.threads(), t -> encoder.encode("m", t).size());
        }
        out.printf("%-44s %s%n", "transformer alone (cut graph)", alone.line(alone));
        out.printf("%-44s %s%n", "transformer + SAE head, no Kafka", withSae.line(alone));

        Path tmp = workDir("pipeline-");
        ClusterConfig cluster = new ClusterConfig(null, kafkaTopicsDir(settings), 0, Map.of());
        BrokerConfig broker =
                new BrokerConfig("127.0.0.1", 0, 0, tmp.resolve("kafka").toString(), Map.of());
        CatalogConfig cc = benchCatalog(settings, tmp);
        EncodeConfig bench = benchEncode(ec);
        try (KafkaSession session = KafkaSession.startOrConnect(cluster, broker);
                Pipeline pipeline = startAfterTopics(session, mc, bench, cc);
                Admin admin = session.admin()) {
            produce(session, 1, warmup);
            pipeline.awaitCaughtUp(admin, Duration.ofHours(1), () -> {});
            // the catalog emits every changed feature once its input goes idle; let that happen now, not
            // inside the measured run
            pipeline.awaitSettled(Duration.ofHours(1), () -> {});
            EncodeCounters c = pipeline.encode().counters();
            long tokens0 = c.tokens.get();
            long bytes0 = c.codeBytes.get();
            var cat = pipeline.catalog().counters();
            long shards0 = cat.shardRecords.get();
            long emitted0 = cat.emitted.get();
            long emittedBytes0 = cat.emittedBytes.get();
            long candidates0 = cat.candidates.get();
            long start = System.nanoTime();
            long cpu0 = processCpuNanos();
            Map<String, Long> threads0 = cpuByStage();
            ThreadGroupCpu groups0 = ThreadGroupCpu.now();
            produce(session, warmup + 1, docs);
            pipeline.awaitCaughtUp(admin, Duration.ofHours(1), () -> {});
            long tokens = c.tokens.get() - tokens0;
            Rate full = new Rate(tokens, System.nanoTime() - start, processCpuNanos() - cpu0);
            long shards = cat.shardRecords.get() - shards0;
            out.printf("%-44s %s%n", "full pipeline (broker, produce, encode, catalog)", full.line(alone));
            // what Kafka and the catalog cost on top of the model: the pipeline against the same model work
            // without them
            out.printf(
                    "  %-42s %10.2f by tokens/s, %.2f by CPU per token%n",
                    "÷ transformer + SAE head, no Kafka",
                    full.perSecond() / withSae.perSecond(),
                    withSae.cpuMicrosPerToken() / full.cpuMicrosPerToken());
            Map<String, Long> threads1 = cpuByStage();
            ThreadGroupCpu groups = ThreadGroupCpu.now().since(groups0);
            long total = processCpuNanos() - cpu0;
            long named = 0;
            for (String stage : List.of("bench-encode", "bench-catalog")) {
                long n = threads1.getOrDefault(stage, 0L) - threads0.getOrDefault(stage, 0L);
                named += n;
                out.printf("  %-42s %,10.1f CPU µs/token%n", stage.substring(6) + " stream threads", n / 1e3 / tokens);
            }
            out.printf(
                    "  %-42s %,10.1f CPU µs/token%n",
                    "everything else (broker, producer, GC, JIT)", (total - named) / 1e3 / tokens);
            if (groups.available()) {
                out.printf("  %-42s %s%n", "whole process by thread, µs/token:", groups.perToken(tokens));
            }
            out.printf(
                    "%-44s %,10.1f bytes/token (%s values)%n",
                    "saestream.codes",
                    (double) (c.codeBytes.get() - bytes0) / tokens,
                    bench.precision().name().toLowerCase());
            out.printf(
                    "%-44s %,10.4f records/token (%,d records for %,d tokens, %,d window candidates)%n",
                    "catalog repartition",
                    (double) shards / tokens,
                    shards,
                    tokens,
                    cat.candidates.get() - candidates0);
            out.printf(
                    "%-44s %,10d records, %,.1f MB of JSON%n",
                    "saestream.features emissions",
                    cat.emitted.get() - emitted0,
                    (cat.emittedBytes.get() - emittedBytes0) / 1e6);
        } finally {
            deleteQuietly(tmp);
        }
        return ExitCode.OK;
    }

    /** The configured catalog under the benchmark's own application id, its state in {@code tmp}. */
    static CatalogConfig benchCatalog(Settings settings, Path tmp) {
        CatalogConfig d = CatalogCommand.catalogConfig(settings, null, null, null);
        return d.withApplicationId("bench-catalog")
                .withState(d.persistentWindows(), tmp.resolve("streams").toString());
    }

    /** The configured encode stage under the benchmark's own application id. */
    static EncodeConfig benchEncode(EncodeConfig ec) {
        return new EncodeConfig(
                "bench-encode",
                ec.precision(),
                ec.maxTokens(),
                ec.threads(),
                ec.commitIntervalMs(),
                ec.saeId(),
                ec.sae(),
                ec.kMax(),
                ec.facet());
    }

    static Pipeline startAfterTopics(KafkaSession session, ModelConfig mc, EncodeConfig ec, CatalogConfig cc)
            throws Exception {
        session.createTopics();
        return Pipeline.start(session, mc, ec, cc, 0);
    }

    private static String kafkaTopicsDir(Settings settings) {
        return settings.section(ClusterConfig.SECTION, ClusterConfig.defaults()).topicsDir();
    }

    /** Europarl documents {@code first} .. {@code first + count - 1} (1-based lines) into saestream.texts. */
    static void produce(KafkaSession session, int first, int count) {
        try (TextProducer p =
                        new TextProducer(TextProducer.newProducer(session.clientConfig(), ProduceConfig.defaults()));
                Stream<SourceItem> items = TextSources.europarl(first - 1 + count, SourceOptions.defaults())
                        .skip(first - 1)) {
            p.produce(items, null);
        }
    }

    /** Tokens done in some wall time and process CPU time. */
    record Rate(long tokens, long wallNanos, long cpuNanos) {
        double perSecond() {
            return tokens / (wallNanos / 1e9);
        }

        double cpuMicrosPerToken() {
            return cpuNanos / 1e3 / tokens;
        }

        /** Throughput, and CPU per token; both also as a ratio to {@code base} (1 = as fast as it). */
        String line(Rate base) {
            return String.format(
                    "%,10.0f tokens/s (%.2f)   %,8.1f CPU µs/token (%.2f)",
                    perSecond(),
                    perSecond() / base.perSecond(),
                    cpuMicrosPerToken(),
                    base.cpuMicrosPerToken() / cpuMicrosPerToken());
        }
    }

    /** CPU time of the live stream threads, summed by the application id their names start with. */
    static Map<String, Long> cpuByStage() {
        return cpuByStage(List.of("bench-encode", "bench-catalog"));
    }

    /** CPU time of the live stream threads whose names start with one of {@code stages}, summed by it. */
    static Map<String, Long> cpuByStage(List<String> stages) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byStage = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            for (String stage : stages) {
                if (info.getThreadName().startsWith(stage)
                        && info.getThreadName().contains("StreamThread")) {
                    byStage.merge(stage, Math.max(0, mx.getThreadCpuTime(info.getThreadId())), Long::sum);
                }
            }
        }
        return byStage;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    interface Work {
        int run(String text) throws Exception;
    }

    /** Runs {@code work} over {@code texts} on {@code threads} threads. */
    static Rate parallel(List<String> texts, int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            AtomicLong tokens = new AtomicLong();
            long start = System.nanoTime();
            long cpu0 = processCpuNanos();
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < texts.size(); i = next.getAndIncrement()) {
                        tokens.addAndGet(work.run(texts.get(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            return new Rate(tokens.get(), System.nanoTime() - start, processCpuNanos() - cpu0);
        } finally {
            pool.shutdownNow();
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a bench's work directory under data/bench: what is left there can go
        }
    }

    /**
     * A new work directory for one bench run (broker data, state stores), under {@code data/bench} in the
     * saestream home rather than the OS's temporary directory: Kafka Streams warns on the terminal about
     * every state directory there, a warning a bench's user can do nothing about.
     */
    static Path workDir(String prefix) throws java.io.IOException {
        return Files.createTempDirectory(
                Files.createDirectories(dev.saestream.config.Home.resolve("data/bench")), prefix);
    }
}
