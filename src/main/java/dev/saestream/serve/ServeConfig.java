package dev.saestream.serve;

/**
 * The web server (config section {@code serve}).
 *
 * @param host             address to bind: loopback by default; anything else is warned about
 * @param port             HTTP port (0: any free port)
 * @param maxBodyBytes     largest request body accepted (413 beyond)
 * @param maxTextChars     longest text {@code POST /api/activations} encodes (400 beyond)
 * @param eventsIntervalMs how often {@code /api/events} sends the status and the changed features
 * @param lagIntervalMs    how often the consumer lag and topic offsets are read from Kafka
 * @param searchModel      in-process embedding model of the semantic search (see label.EmbeddingScorer)
 * @param encoder          standalone {@code serve} opens the transformer and SAE for "what fires on this text"
 */
public record ServeConfig(
        String host,
        int port,
        int maxBodyBytes,
        int maxTextChars,
        long eventsIntervalMs,
        long lagIntervalMs,
        String searchModel,
        boolean encoder) {
    public static final String SECTION = "serve";

    public ServeConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("serve.host must be given, got '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("serve.port must be in [0, 65535], got " + port);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("serve.maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        if (maxTextChars <= 0) {
            throw new IllegalArgumentException("serve.maxTextChars must be positive, got " + maxTextChars);
        }
        if (eventsIntervalMs <= 0 || lagIntervalMs <= 0) {
            throw new IllegalArgumentException("serve.eventsIntervalMs and serve.lagIntervalMs must be positive, got "
                    + eventsIntervalMs + " and " + lagIntervalMs);
        }
        if (searchModel == null || searchModel.isBlank()) {
            throw new IllegalArgumentException("serve.searchModel must be given");
        }
    }

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, 65_536, 4_000, 1_000, 2_000, "all-minilm-l6-v2-q", true);
    }

    /** True when the address is reachable only from this machine. */
    public boolean loopback() {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public ServeConfig withHost(String host) {
        return new ServeConfig(
                host, port, maxBodyBytes, maxTextChars, eventsIntervalMs, lagIntervalMs, searchModel, encoder);
    }

    public ServeConfig withPort(int port) {
        return new ServeConfig(
                host, port, maxBodyBytes, maxTextChars, eventsIntervalMs, lagIntervalMs, searchModel, encoder);
    }
}
