package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.serve.CatalogView;
import dev.saestream.serve.EncoderSlot;
import dev.saestream.serve.KnownSaes;
import dev.saestream.serve.LocalStages;
import dev.saestream.serve.SaeFeatures;
import dev.saestream.serve.ServeConfig;
import dev.saestream.serve.ServeServer;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saestream bench serve}: what the web server costs the pipeline and how fast it answers,
 * on a full catalogue (the default SAE's 3,072 features) while documents stream through.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "The pipeline's tokens/s with and without a client polling like the web page, in alternating",
            "rounds, and requests/s with p50/p99 latency of the feature list and feature endpoints while the",
            "pipeline runs. Uses a fresh embedded broker in a temporary directory."
        })
final class ServeBenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "300",
            description = "Documents run first to fill the catalogue (default 300).")
    int warmup;

    @Option(
            names = "--docs",
            paramLabel = "N",
            defaultValue = "60",
            description = "Documents per measured phase (default 60).")
    int docs;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "2",
            description = "Rounds of a phase without a page and one with, in alternating order (default 2).")
    int rounds;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "Seconds of requests per endpoint for the latencies (default 10).")
    int seconds;

    @Option(
            names = "--synthetic-features",
            paramLabel = "N[,N...]",
            split = ",",
            description = {
                "Instead of the pipeline: for each N, a fresh broker with N synthetic feature states and labels",
                "(top 50 and a reservoir of 200 windows of 32 tokens each), the server alone as serve starts it,",
                "and the latencies of the feature list and feature endpoints over them (e.g. 3072,24576)."
            })
    List<Integer> synthetic = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        if (!synthetic.isEmpty()) {
            return synthetic(settings, spec.commandLine().getOut());
        }
        EncodeConfig ec = encode.config(settings);
        ModelConfig mc = model.config(settings);
        PrintWriter out = spec.commandLine().getOut();
        Path tmp = PipelineBenchCommand.workDir("serve-");
        String topicsDir = settings.section(ClusterConfig.SECTION, ClusterConfig.defaults())
                .topicsDir();
        CatalogConfig cc = PipelineBenchCommand.benchCatalog(settings, tmp);
        EncodeConfig bench = PipelineBenchCommand.benchEncode(ec);
        ServeConfig sc = settings.section(
                ServeConfig.SECTION,
                ServeConfig.defaults(),
                c -> c.withHost("127.0.0.1").withPort(0));
        try (KafkaSession session = KafkaSession.startOrConnect(
                        new ClusterConfig(null, topicsDir, 0, Map.of()),
                        new BrokerConfig("127.0.0.1", 0, 0, tmp.resolve("kafka").toString(), Map.of()));
                Pipeline pipeline = PipelineBenchCommand.startAfterTopics(session, mc, bench, cc);
                Admin admin = session.admin();
                ServeServer server = RunServe.start(settings, sc, session, pipeline, null)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            int next = 1;
            PipelineBenchCommand.produce(session, next, warmup);
            next += warmup;
            pipeline.awaitCaughtUp(admin, Duration.ofHours(2), () -> {});
            pipeline.awaitSettled(Duration.ofHours(1), () -> {});
            int features = features(http, base);
            long[] bytes = server.view().stateBytes();
            out.printf(
                    "catalogue after %,d documents: %,d features; the view holds %,.1f MB of feature states deflated "
                            + "from %,.1f MB (%,.1f KB a feature)%n",
                    warmup, features, bytes[0] / 1e6, bytes[1] / 1e6, bytes[0] / 1e3 / Math.max(1, features));
            out.printf("%-8s %18s %18s %8s%n", "round", "no page tokens/s", "page tokens/s", "ratio");
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // the order alternates (without first, then with first), so that neither kind of phase always gets
                // the younger catalogue or the earlier documents
                boolean pageFirst = round % 2 == 0;
                double quiet = 0;
                double polled = 0;
                for (int p = 0; p < 2; p++) {
                    if ((p == 0) == pageFirst) {
                        try (Page page = new Page(http, base, features)) {
                            polled = phase(session, pipeline, admin, next, page);
                        }
                    } else {
                        quiet = phase(session, pipeline, admin, next, null);
                    }
                    next += docs;
                }
                ratios.add(polled / quiet);
                out.printf("%-8d %,18.0f %,18.0f %8.3f%n", round, quiet, polled, polled / quiet);
            }
            double[] r =
                    ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            out.printf(
                    "with a page polling, the pipeline ran at %.3f of its speed without (rounds %.3f to %.3f)%n",
                    Arrays.stream(r).average().orElse(0), r[0], r[r.length - 1]);
            double machine = pageCost[2] * (double) Runtime.getRuntime().availableProcessors();
            out.printf(
                    "the page's requests took %.2f%% of the machine's CPU in the page phases (server %.2f%%, polling"
                            + " client %.2f%%, %d cores)%n",
                    100 * (pageCost[0] + pageCost[1]) / machine,
                    100 * pageCost[0] / machine,
                    100 * pageCost[1] / machine,
                    Runtime.getRuntime().availableProcessors());

            // latencies while documents stream through
            PipelineBenchCommand.produce(session, next, docs * 2);
            Random rnd = new Random(42);
            List<Integer> indices = indices(http, base);
            latency(out, http, "GET /api/features?limit=50", () -> base + "/api/features?limit=50&sort=density");
            latency(
                    out,
                    http,
                    "GET /api/features?sort=score&q=the",
                    () -> base + "/api/features?limit=50&sort=score&q=the");
            latency(
                    out,
                    http,
                    "GET /api/features/{index}",
                    () -> base + "/api/features/" + indices.get(rnd.nextInt(indices.size())));
            pipeline.awaitCaughtUp(admin, Duration.ofHours(2), () -> {});
        } finally {
            PipelineBenchCommand.deleteQuietly(tmp);
        }
        return ExitCode.OK;
    }

    /** CPU the page's polling took in the page phases: [server threads, client threads, wall] in nanoseconds. */
    private final long[] pageCost = new long[3];

    /** Tokens/s of the pipeline over {@code docs} documents, with {@code page} polling or not. */
    private double phase(KafkaSession session, Pipeline pipeline, Admin admin, int first, Page page) throws Exception {
        long tokens0 = pipeline.encode().counters().tokens.get();
        long[] cpu0 = pageThreadsCpu();
        long start = System.nanoTime();
        if (page != null) {
            page.start();
        }
        PipelineBenchCommand.produce(session, first, docs);
        pipeline.awaitCaughtUp(admin, Duration.ofHours(2), () -> {});
        long wall = System.nanoTime() - start;
        if (page != null) {
            long[] cpu1 = pageThreadsCpu();
            pageCost[0] += cpu1[0] - cpu0[0];
            pageCost[1] += cpu1[1] - cpu0[1];
            pageCost[2] += wall;
        }
        return (pipeline.encode().counters().tokens.get() - tokens0) / (wall / 1e9);
    }

    /**
     * CPU time so far of the web server's threads (Jetty's pool, named serve-*) and of the polling client's
     * (page-*, and the JDK HTTP client's): what an open page costs the machine, measured directly rather than
     * through the pipeline's tokens/s, which vary more between phases than the page could move them. Threads that
     * ended meanwhile are not counted, so this is a lower bound on the client side.
     */
    private static long[] pageThreadsCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long server = 0;
        long client = 0;
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti == null) {
                continue;
            }
            long t = mx.getThreadCpuTime(ti.getThreadId());
            if (t <= 0) {
                continue;
            }
            String name = ti.getThreadName();
            if (name.startsWith("serve")) {
                server += t;
            } else if (name.startsWith("page-") || name.startsWith("HttpClient")) {
                client += t;
            }
        }
        return new long[] {server, client};
    }

    /** One client asking as fast as it is answered for {@link #seconds}; prints requests/s and p50/p99. */
    private void latency(PrintWriter out, HttpClient http, String name, java.util.function.Supplier<String> url)
            throws Exception {
        latency(out, http, name, url, "pipeline running");
    }

    /**
     * One client asking as fast as it is answered for {@link #seconds}; prints requests/s and p50/p99 with
     * {@code context}, and returns them: [requests/s, p50 ms, p99 ms].
     */
    private double[] latency(
            PrintWriter out, HttpClient http, String name, java.util.function.Supplier<String> url, String context)
            throws Exception {
        List<Long> nanos = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(URI.create(url.get())).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(name + " answered " + r.statusCode());
            }
            nanos.add(System.nanoTime() - t);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double[] figures = {
            sorted.length / secs,
            sorted[sorted.length / 2] / 1e6,
            sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)] / 1e6
        };
        out.printf(
                "%-36s %,8.0f requests/s   p50 %,7.2f ms   p99 %,7.2f ms   (%,d requests, %s)%n",
                name, figures[0], figures[1], figures[2], sorted.length, context);
        out.flush();
        return figures;
    }

    /** The endpoints {@code --synthetic-features} times, by name: the path asked (with {index} a random feature). */
    static final Map<String, String> SYNTHETIC_ENDPOINTS = syntheticEndpoints();

    private static Map<String, String> syntheticEndpoints() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("GET /api/features?limit=50", "/api/features?limit=50");
        m.put("GET /api/features?limit=50&sort=score", "/api/features?limit=50&sort=score");
        m.put(
                "GET /api/features?limit=50&q=" + SyntheticCatalogue.QUERY,
                "/api/features?limit=50&q=" + SyntheticCatalogue.QUERY);
        m.put("GET /api/features/{index}", "/api/features/{index}");
        return m;
    }

    /**
     * {@code --synthetic-features}: for each width, a fresh broker holding that many synthetic features and
     * labels, the server alone against it as {@code serve} starts it, the view's memory and the endpoints'
     * latencies; then each endpoint's figures at every width against the first.
     */
    private int synthetic(Settings settings, PrintWriter out) throws Exception {
        String topicsDir = settings.section(ClusterConfig.SECTION, ClusterConfig.defaults())
                .topicsDir();
        ServeConfig sc = settings.section(
                ServeConfig.SECTION,
                ServeConfig.defaults(),
                c -> c.withHost("127.0.0.1").withPort(0));
        SyntheticCatalogue catalogue = new SyntheticCatalogue();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, List<double[]>> byEndpoint = new java.util.LinkedHashMap<>();
        for (int n : synthetic) {
            Path tmp = PipelineBenchCommand.workDir("serve-");
            try (KafkaSession session = KafkaSession.startOrConnect(
                    new ClusterConfig(null, topicsDir, 0, Map.of()),
                    new BrokerConfig("127.0.0.1", 0, 0, tmp.resolve("kafka").toString(), Map.of()))) {
                session.createTopics();
                long t0 = System.nanoTime();
                long published = catalogue.publish(session.clientConfig(), SYNTHETIC_SAE, n);
                double publishSecs = (System.nanoTime() - t0) / 1e9;
                long heap0 = usedHeapAfterGc();
                long t1 = System.nanoTime();
                try (ServeServer server = startStandalone(settings, sc, session)) {
                    awaitFeatures(server, n);
                    double readSecs = (System.nanoTime() - t1) / 1e9;
                    long heap = usedHeapAfterGc() - heap0;
                    long[] bytes = server.view().stateBytes();
                    out.printf(
                            "%n%,d synthetic features (%,.1f MB of JSON published in %.1f s, read by a fresh server in"
                                    + " %.1f s)%n",
                            n, published / 1e6, publishSecs, readSecs);
                    out.printf(
                            "the view holds %,.1f MB of feature states deflated from %,.1f MB (%,.1f KB a feature);"
                                    + " the heap grew by %,.1f MB after GC%n",
                            bytes[0] / 1e6, bytes[1] / 1e6, bytes[0] / 1e3 / n, heap / 1e6);
                    out.flush();
                    String base = "http://127.0.0.1:" + server.port();
                    Random rnd = new Random(42);
                    for (Map.Entry<String, String> e : SYNTHETIC_ENDPOINTS.entrySet()) {
                        // untimed first, so that the first endpoint and width do not pay for the JIT
                        warmUp(http, () -> base + e.getValue().replace("{index}", Integer.toString(rnd.nextInt(n))));
                        double[] f = latency(
                                out,
                                http,
                                e.getKey(),
                                () -> base + e.getValue().replace("{index}", Integer.toString(rnd.nextInt(n))),
                                String.format("%,d features", n));
                        byEndpoint
                                .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(f);
                    }
                }
            } finally {
                PipelineBenchCommand.deleteQuietly(tmp);
            }
        }
        if (synthetic.size() > 1) {
            out.printf(
                    "%nagainst %,d features (p50 and p99 ratios: above 1 is slower; requests/s ratio: below 1 is"
                            + " slower)%n",
                    synthetic.get(0));
            for (int i = 1; i < synthetic.size(); i++) {
                for (Map.Entry<String, List<double[]>> e : byEndpoint.entrySet()) {
                    double[] a = e.getValue().get(0);
                    double[] b = e.getValue().get(i);
                    out.printf(
                            "%,7d features  %-36s p50 x%.2f   p99 x%.2f   requests/s x%.2f%n",
                            synthetic.get(i), e.getKey(), b[1] / a[1], b[2] / a[2], b[0] / a[0]);
                }
            }
        }
        return ExitCode.OK;
    }

    static final String SYNTHETIC_SAE = "synthetic";

    /** Asks {@code url} for a fifth of {@link #seconds} (at least one second), untimed. */
    private void warmUp(HttpClient http, java.util.function.Supplier<String> url) throws Exception {
        long end = System.nanoTime() + Math.max(1, seconds / 5) * 1_000_000_000L;
        while (System.nanoTime() < end) {
            http.send(HttpRequest.newBuilder(URI.create(url.get())).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** The server alone over {@code session}'s topics, as {@code serve} starts it without an SAE directory. */
    static ServeServer startStandalone(Settings settings, ServeConfig sc, KafkaSession session) {
        return ServeServer.start(
                sc,
                CatalogView.start(session.clientConfig()),
                new KnownSaes(List.of()),
                EncoderSlot.none("bench serve --synthetic-features runs without an SAE"),
                LocalStages.NONE,
                session.clientConfig(),
                ServeCommand.groups(settings),
                ServeCommand.prices(settings));
    }

    /** Waits until the server's view has read the topics as they were at its start and holds {@code n} features. */
    static void awaitFeatures(ServeServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        while (true) {
            SaeFeatures s = server.view().sae(SYNTHETIC_SAE);
            if (server.view().ready() && s != null && s.featureCount() == n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server's view did not hold " + n + " features within 20 minutes");
            }
            Thread.sleep(50);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        java.lang.management.MemoryMXBean mx = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return mx.getHeapMemoryUsage().getUsed();
    }

    /** What an open web page asks: the status every second, a list page and a feature every two, and the event stream. */
    private static final class Page implements AutoCloseable {
        private final HttpClient http;
        private final String base;
        private final int features;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Page(HttpClient http, String base, int features) {
            this.http = http;
            this.base = base;
            this.features = Math.max(1, features);
        }

        void start() {
            Random rnd = new Random(7);
            threads.add(daemon("page-poll", () -> {
                for (long tick = 0; running.get(); tick++) {
                    get("/api/status");
                    if (tick % 2 == 0) {
                        get("/api/features?limit=50&sort=density");
                        get("/api/features/" + rnd.nextInt(features));
                    }
                    sleep(1_000);
                }
            }));
            threads.add(daemon("page-events", () -> {
                try {
                    HttpResponse<java.io.InputStream> r = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/events"))
                                    .header("Accept", "text/event-stream")
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (java.io.InputStream in = r.body()) {
                        byte[] buf = new byte[8192];
                        while (running.get() && in.read(buf) >= 0) {
                            // read and dropped, as a page would parse it
                        }
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // the page closed
                }
            }));
            threads.forEach(Thread::start);
        }

        private static Thread daemon(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }

        private void get(String path) {
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException | InterruptedException e) {
                // a missed poll, as in a browser
            }
        }

        private void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                running.set(false);
            }
        }

        @Override
        public void close() {
            running.set(false);
        }
    }

    private static int features(HttpClient http, String base) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/features?limit=0"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return dev.saestream.formats.Json.MAPPER.readTree(r.body()).get("total").asInt();
    }

    private static List<Integer> indices(HttpClient http, String base) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/features?limit=500&sort=index"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        List<Integer> out = new ArrayList<>();
        dev.saestream.formats.Json.MAPPER
                .readTree(r.body())
                .get("items")
                .forEach(i -> out.add(i.get("index").asInt()));
        return out;
    }
}
