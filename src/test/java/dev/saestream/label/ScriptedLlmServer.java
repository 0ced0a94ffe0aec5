package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A local HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions, Anthropic messages and
 * Ollama chat APIs with scripted answers, counts tokens as a provider would (tiktoken's o200k
 * encoding through jtokkit, plus OpenAI's per-message overhead) and reports them as usage. It
 * keeps every request, and the usage it reported for each, for tests to assert on.
 */
final class ScriptedLlmServer implements AutoCloseable {
    static final Encoding TOKENS = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    enum Dialect {
        OPENAI,
        ANTHROPIC,
        OLLAMA
    }

    /** One request as received: the dialect, headers, body, and the prompt and schema pulled out of it. */
    record Request(
            Dialect dialect,
            Map<String, List<String>> headers,
            JsonNode body,
            String system,
            String user,
            JsonNode schema) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /**
     * What to answer: an HTTP status, the assistant's text, a delay before answering, extra headers, and the
     * usage to report (null: counted).
     */
    record Reply(int status, String text, long delayMs, Map<String, String> headers, Usage usage) {
        static Reply ok(String text) {
            return new Reply(200, text, 0, Map.of(), null);
        }

        /** An answer reporting exactly {@code usage}. */
        static Reply ok(String text, Usage usage) {
            return new Reply(200, text, 0, Map.of(), usage);
        }

        static Reply status(int status) {
            return new Reply(status, null, 0, Map.of(), null);
        }

        /** An error answer with one header, such as a 429's Retry-After. */
        static Reply status(int status, String header, String value) {
            return new Reply(status, null, 0, Map.of(header, value), null);
        }

        static Reply slow(long delayMs, String text) {
            return new Reply(200, text, delayMs, Map.of(), null);
        }
    }

    /**
     * The usage reported for one request (zero for error replies): every prompt token in {@code input}, of which
     * {@code cacheRead} came from the prompt cache and {@code cacheWrite} went into it.
     */
    record Usage(long input, long output, long cacheRead, long cacheWrite) {
        Usage(long input, long output) {
            this(input, output, 0, 0);
        }
    }

    private final HttpServer server;
    private final Function<Request, Reply> responder;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<Usage> reported = new ArrayList<>();
    /** Prompt caching as the providers do it, when on: the instruction prefixes seen, and the least tokens cached. */
    private final java.util.Set<String> cachedPrefixes = new java.util.HashSet<>();

    private int cacheMinTokens = -1;

    ScriptedLlmServer(Function<Request, Reply> responder) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scripted-llm");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Reports prompt caching as the providers do: a system message seen before, in a prompt of at least
     * {@code minTokens} (1,024 for OpenAI and most Anthropic models), is read from the cache (OpenAI: in
     * 128-token steps, by itself; Anthropic: only where the request marks it with cache_control, the first
     * time written to it).
     */
    synchronized ScriptedLlmServer caching(int minTokens) {
        this.cacheMinTokens = minTokens;
        return this;
    }

    /** Replies used, in order, before the responder is asked. */
    synchronized ScriptedLlmServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    String baseUrl(Dialect dialect) {
        String root = "http://127.0.0.1:" + server.getAddress().getPort();
        return dialect == Dialect.OLLAMA ? root : root + "/v1";
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<Usage> reported() {
        return List.copyOf(reported);
    }

    synchronized void reset() {
        requests.clear();
        reported.clear();
        script.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Dialect dialect = path.endsWith("/chat/completions")
                    ? Dialect.OPENAI
                    : path.endsWith("/messages") ? Dialect.ANTHROPIC : Dialect.OLLAMA;
            JsonNode body = Json.MAPPER.readTree(ex.getRequestBody());
            Request request = parse(dialect, Map.copyOf(ex.getRequestHeaders()), body);
            Reply reply;
            Usage usage;
            synchronized (this) {
                // request, reply and usage are recorded together, in arrival order
                requests.add(request);
                reply = script.isEmpty() ? responder.apply(request) : script.poll();
                usage = reply.status() != 200
                        ? new Usage(0, 0)
                        : reply.usage() != null ? reply.usage() : cached(request, usage(request, reply.text()));
                reported.add(usage);
            }
            if (reply.delayMs() > 0) {
                Thread.sleep(reply.delayMs());
            }
            byte[] out = (reply.status() == 200
                            ? answer(dialect, body, reply.text(), usage)
                            : error(dialect, reply.status()))
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            reply.headers().forEach((name, value) -> ex.getResponseHeaders().add(name, value));
            ex.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (a time-out): nothing to answer
        }
    }

    private static Request parse(Dialect dialect, Map<String, List<String>> headers, JsonNode body) {
        String system = null;
        String user = null;
        JsonNode schema = null;
        switch (dialect) {
            case OPENAI, OLLAMA -> {
                for (JsonNode m : body.get("messages")) {
                    if ("system".equals(m.get("role").asText())) {
                        system = m.get("content").asText();
                    } else if ("user".equals(m.get("role").asText())) {
                        user = m.get("content").asText();
                    }
                }
                schema = dialect == Dialect.OPENAI
                        ? body.path("response_format").path("json_schema").get("schema")
                        : body.get("format");
            }
            case ANTHROPIC -> {
                system = body.get("system").get(0).get("text").asText();
                user = body.get("messages")
                        .get(0)
                        .get("content")
                        .get(0)
                        .get("text")
                        .asText();
                schema = body.path("output_config").path("format").get("schema");
            }
        }
        return new Request(dialect, headers, body, system, user, schema);
    }

    /** Tokens as OpenAI counts a chat: each message's tokens plus 3, plus 3 to prime the reply. */
    static Usage usage(Request r, String answer) {
        long in = TOKENS.countTokens(r.system()) + 3 + TOKENS.countTokens(r.user()) + 3 + 3;
        return new Usage(in, TOKENS.countTokens(answer));
    }

    private Usage cached(Request r, Usage u) {
        if (cacheMinTokens < 0 || u.input() < cacheMinTokens) {
            return u;
        }
        long prefix = TOKENS.countTokens(r.system()) + 3;
        boolean seen = !cachedPrefixes.add(r.dialect() + "\0" + r.system());
        return switch (r.dialect()) {
            case OPENAI -> seen && prefix >= 1024 ? new Usage(u.input(), u.output(), prefix / 128 * 128, 0) : u;
            case ANTHROPIC -> {
                boolean marked = r.body().path("system").path(0).has("cache_control");
                if (!marked || prefix < cacheMinTokens) {
                    yield u;
                }
                yield seen ? new Usage(u.input(), u.output(), prefix, 0) : new Usage(u.input(), u.output(), 0, prefix);
            }
            case OLLAMA -> u;
        };
    }

    private static String answer(Dialect dialect, JsonNode request, String text, Usage usage) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        String model = request.get("model").asText();
        switch (dialect) {
            case OPENAI -> {
                o.put("id", "chatcmpl-1")
                        .put("object", "chat.completion")
                        .put("created", 0)
                        .put("model", model);
                ObjectNode choice =
                        o.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", text);
                ObjectNode u = o.putObject("usage")
                        .put("prompt_tokens", usage.input())
                        .put("completion_tokens", usage.output())
                        .put("total_tokens", usage.input() + usage.output());
                u.putObject("prompt_tokens_details").put("cached_tokens", usage.cacheRead());
            }
            case ANTHROPIC -> {
                o.put("id", "msg_1")
                        .put("type", "message")
                        .put("role", "assistant")
                        .put("model", model)
                        .put("stop_reason", "end_turn");
                o.putArray("content").addObject().put("type", "text").put("text", text);
                // Anthropic's input_tokens leave out what was read from or written to the cache
                o.putObject("usage")
                        .put("input_tokens", usage.input() - usage.cacheRead() - usage.cacheWrite())
                        .put("output_tokens", usage.output())
                        .put("cache_read_input_tokens", usage.cacheRead())
                        .put("cache_creation_input_tokens", usage.cacheWrite());
            }
            case OLLAMA -> {
                o.put("model", model)
                        .put("created_at", "2024-01-01T00:00:00Z")
                        .put("done", true)
                        .put("done_reason", "stop")
                        .put("prompt_eval_count", usage.input())
                        .put("eval_count", usage.output());
                o.putObject("message").put("role", "assistant").put("content", text);
            }
        }
        return Json.writeString(o);
    }

    private static String error(Dialect dialect, int status) {
        String message = status == 429 ? "rate limit exceeded" : status == 401 ? "invalid api key" : "overloaded";
        return dialect == Dialect.ANTHROPIC
                ? "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"" + message + "\"}}"
                : "{\"error\":{\"message\":\"" + message + "\",\"type\":\"error\"}}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
