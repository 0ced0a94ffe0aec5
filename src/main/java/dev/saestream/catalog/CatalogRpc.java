package dev.saestream.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How catalog instances answer each other: each serves its local part of the catalogue over
 * HTTP at its {@code application.server} address, and asks the others for theirs. Internal: the
 * public REST API is built on {@link CatalogQueries}.
 */
public final class CatalogRpc implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CatalogRpc.class);
    static final String BASE = "/catalog/v1/local/";

    private final HttpServer server;

    private CatalogRpc(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code local} at {@code self}. */
    public static CatalogRpc serve(HostInfo self, LocalCatalog local) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(self.host(), self.port()), 0);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "catalog-rpc");
            t.setDaemon(true);
            return t;
        }));
        server.createContext(
                BASE + "feature",
                ex -> answer(
                        ex,
                        q -> local.feature(q.get("sae"), Integer.parseInt(q.get("index")))
                                .map(Json::write)
                                .orElse(null)));
        server.createContext(BASE + "summaries", ex -> answer(ex, q -> Json.write(local.summaries(q.get("sae")))));
        server.createContext(BASE + "totals", ex -> answer(ex, q -> Json.write(local.totals(q.get("sae")))));
        server.createContext(BASE + "saes", ex -> answer(ex, q -> Json.write(local.saeIds())));
        server.start();
        log.info("catalog queries served at {}:{}", self.host(), self.port());
        return new CatalogRpc(server);
    }

    private interface Handler {
        byte[] handle(Map<String, String> query);
    }

    private static void answer(HttpExchange ex, Handler handler) throws IOException {
        try (ex) {
            byte[] body;
            int status;
            try {
                body = handler.handle(query(ex.getRequestURI()));
                status = body == null ? 404 : 200;
            } catch (RuntimeException e) {
                body = Json.write(Map.of("error", String.valueOf(e.getMessage())));
                status = e instanceof IllegalArgumentException ? 400 : 503;
            }
            if (body == null) {
                body = "{}".getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Asks another instance for its local part. */
    public static final class Client {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Optional<FeatureState> feature(HostInfo host, String saeId, int index) {
            byte[] body = get(host, "feature?sae=" + enc(saeId) + "&index=" + index);
            return body == null ? Optional.empty() : Optional.of(Json.read(body, FeatureState.class));
        }

        List<FeatureSummary> summaries(HostInfo host, String saeId) {
            return read(get(host, "summaries?sae=" + enc(saeId)), new TypeReference<>() {});
        }

        CatalogTotals totals(HostInfo host, String saeId) {
            return Json.read(get(host, "totals?sae=" + enc(saeId)), CatalogTotals.class);
        }

        Set<String> saeIds(HostInfo host) {
            return read(get(host, "saes"), new TypeReference<>() {});
        }

        private byte[] get(HostInfo host, String path) {
            URI uri = URI.create("http://" + host.host() + ":" + host.port() + BASE + path);
            try {
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 404) {
                    return null;
                }
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("catalog instance " + host + " answered " + r.statusCode() + ": "
                            + new String(r.body(), StandardCharsets.UTF_8));
                }
                return r.body();
            } catch (IOException e) {
                throw new UncheckedIOException("catalog instance " + host + " did not answer: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking " + host, e);
            }
        }

        private static <T> T read(byte[] body, TypeReference<T> type) {
            try {
                return Json.MAPPER.readValue(body, type);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
