package dev.saestream.serve;

import dev.saestream.label.LlmPrices;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: the JSON API, {@code /metrics}, the events and the web page, on Javalin (a thin
 * layer over Jetty 12: routes as lambdas, static files from the classpath, server-sent events, no
 * annotations or reflection). It owns the view, the encoder slot and the status reader it is
 * given, and closes them.
 */
public final class ServeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServeServer.class);

    /** The page's classpath folder; served at {@code /} when present. */
    static final String WEB = "/dev/saestream/serve/web";

    static final String JSON = "application/json; charset=utf-8";
    /** Request attribute: the API has written its error answer. */
    private static final String ANSWERED = "saestream.answered";

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    /** Every route, for the OpenAPI document's test and the fallback index. */
    static final List<String> ROUTES = List.of(
            "GET /api/saes",
            "GET /api/features",
            "GET /api/features/{index}",
            "POST /api/activations",
            "GET /api/search",
            "GET /api/compare",
            "GET /api/labels/report",
            "GET /api/status",
            "GET /api/events",
            "GET /api/openapi.json",
            "GET /metrics");

    private final ServeConfig config;
    private final CatalogView view;
    private final EncoderSlot encoder;
    private final StatusSource status;
    private final Metrics metrics;
    private final CatalogApi api;
    /** The event-stream subscribers. */
    private final ConcurrentLinkedQueue<SseClient> events = new ConcurrentLinkedQueue<>();

    private final ScheduledExecutorService ticker;
    private final Javalin app;

    private ServeServer(
            ServeConfig config,
            CatalogView view,
            KnownSaes saes,
            EncoderSlot encoder,
            LocalStages local,
            Map<String, Object> kafka,
            StageGroups groups,
            LlmPrices prices) {
        this.config = config;
        this.view = view;
        this.encoder = encoder;
        this.status = new StatusSource(view, local, kafka, groups, config.lagIntervalMs(), prices);
        this.metrics = new Metrics(view, status, local);
        this.api = new CatalogApi(config, view, saes, encoder, status, new ExplanationSearch(config.searchModel()));
        this.app = Javalin.create(this::configure);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serve-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link #start(ServeConfig, CatalogView, KnownSaes, EncoderSlot, LocalStages, Map, StageGroups, LlmPrices)} with no prices. */
    public static ServeServer start(
            ServeConfig config,
            CatalogView view,
            KnownSaes saes,
            EncoderSlot encoder,
            LocalStages local,
            Map<String, Object> kafka,
            StageGroups groups) {
        return start(config, view, saes, encoder, local, kafka, groups, LlmPrices.DEFAULTS);
    }

    /**
     * Starts the server on {@code config.host():config.port()} over {@code view}; returns once it
     * answers. {@code kafka} is the client configuration the status reads offsets with; {@code prices}
     * (the {@code prices} section) turn the LLM's tokens into the dollars the status gives.
     */
    public static ServeServer start(
            ServeConfig config,
            CatalogView view,
            KnownSaes saes,
            EncoderSlot encoder,
            LocalStages local,
            Map<String, Object> kafka,
            StageGroups groups,
            LlmPrices prices) {
        ServeServer s = new ServeServer(config, view, saes, encoder, local, kafka, groups, prices);
        try {
            s.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException(
                    "cannot serve on " + config.host() + ":" + config.port() + ": " + rootMessage(e)
                            + "; choose another with --port or SAESTREAM_SERVE_PORT",
                    e);
        }
        String exposed = s.exposure();
        if (exposed != null) {
            log.warn("{}", exposed);
        }
        s.ticker.scheduleWithFixedDelay(
                s::tick, config.eventsIntervalMs(), config.eventsIntervalMs(), TimeUnit.MILLISECONDS);
        return s;
    }

    public int port() {
        return app.port();
    }

    /**
     * The warning for an address other machines can reach, or null on a loopback address. The server
     * logs it at start; {@code run}, whose terminal shows only errors of the logs, prints it too.
     */
    public String exposure() {
        return config.loopback()
                ? null
                : "serving on " + config.host() + ":" + port() + ", which is not a loopback address: anyone who can"
                        + " reach it can read the catalogue and run texts through the model";
    }

    /** The address to open in a browser. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port() + "/";
    }

    public CatalogView view() {
        return view;
    }

    private void configure(io.javalin.config.JavalinConfig c) {
        c.startup.showJavalinBanner = false;
        c.startup.showOldJavalinVersionWarning = false;
        c.jetty.threadPool = threadPool();
        c.http.prefer405over404 = true;
        // bodies are read and limited by the handlers, which answer 413 in the API's own format
        c.http.maxRequestSize = Long.MAX_VALUE;
        boolean page = ServeServer.class.getResource(WEB + "/index.html") != null;
        if (page) {
            c.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = WEB;
                sf.location = Location.CLASSPATH;
                sf.headers = Map.of("Content-Security-Policy", CSP, "X-Content-Type-Options", "nosniff");
            });
        }
        var r = c.routes;
        r.before(ctx -> {
            ctx.header("Content-Security-Policy", CSP);
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "no-referrer");
        });
        r.before("/api/*", this::refuseWhileRestoring);
        r.get("/api/saes", ctx -> json(ctx, api.saes()));
        r.get("/api/features", ctx -> json(ctx, api.features(ctx)));
        r.get("/api/features/{index}", ctx -> json(ctx, api.feature(ctx)));
        r.post("/api/activations", ctx -> json(ctx, api.activations(ctx, body(ctx))));
        r.get("/api/search", ctx -> json(ctx, api.search(ctx)));
        r.get("/api/compare", ctx -> json(ctx, api.compare(ctx)));
        r.get("/api/labels/report", ctx -> json(ctx, api.labelReport(ctx)));
        r.get("/api/status", ctx -> json(ctx, status.status()));
        r.sse("/api/events", this::subscribe);
        r.get("/api/openapi.json", ctx -> ctx.contentType(JSON).result(OpenApi.document()));
        r.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));
        if (!page) {
            r.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(FallbackPage.html()));
        }
        r.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            error(ctx, e.status, e.error, e.getMessage());
        });
        r.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal", "the server failed on this request; its log says why");
        });
        r.error(404, ctx -> {
            // Javalin's own 404 (no such route) is replaced; an API 404 (no such feature) is kept
            if (ctx.attribute(ANSWERED) == null) {
                error(ctx, 404, "not-found", "no such page or endpoint: " + ctx.path());
            }
        });
        r.error(405, ctx -> error(ctx, 405, "method-not-allowed", ctx.method() + " is not allowed on " + ctx.path()));
    }

    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(32, 2);
        pool.setName("serve");
        pool.setDaemon(true);
        return pool;
    }

    private void refuseWhileRestoring(Context ctx) {
        String p = ctx.path();
        if (!view.ready() && !p.equals("/api/status") && !p.equals("/api/openapi.json") && !p.equals("/api/events")) {
            throw new ApiException(
                    503, "restoring", "the server is still reading the catalogue's topics; try again in a moment");
        }
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType(JSON).result(Api.write(body));
    }

    private static void error(Context ctx, int status, String error, String detail) {
        ctx.status(status).contentType(JSON).result(Api.write(new Api.Error(error, detail)));
    }

    /** The request body, at most {@link ServeConfig#maxBodyBytes}; 413 beyond. */
    private byte[] body(Context ctx) {
        int max = config.maxBodyBytes();
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new ApiException(413, "too-large", "the body is over " + max + " bytes (serve.maxBodyBytes)");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void subscribe(SseClient client) {
        client.keepAlive();
        client.onClose(() -> events.remove(client));
        events.add(client);
        client.sendEvent("status", new String(Api.write(status.status()), StandardCharsets.UTF_8));
    }

    /** Once per interval: the status to every subscriber, and the features that changed. */
    private void tick() {
        try {
            String s = new String(Api.write(status.status()), StandardCharsets.UTF_8);
            List<String> changed = new java.util.ArrayList<>();
            for (String id : view.saeIds()) {
                List<Integer> c = view.sae(id).drainChanged();
                for (int from = 0; from < c.size(); from += 1000) {
                    changed.add(new String(
                            Api.write(new Api.Changed(id, c.subList(from, Math.min(c.size(), from + 1000)))),
                            StandardCharsets.UTF_8));
                }
            }
            for (SseClient client : events) {
                if (client.terminated()) {
                    events.remove(client);
                    continue;
                }
                client.sendEvent("status", s);
                for (String c : changed) {
                    client.sendEvent("features", c);
                }
            }
        } catch (RuntimeException e) {
            log.debug("events tick failed", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        for (SseClient c : events) {
            c.close();
        }
        try {
            app.stop();
        } finally {
            metrics.close();
            status.close();
            encoder.close();
            view.close();
        }
    }
}
