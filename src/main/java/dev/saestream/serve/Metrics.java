package dev.saestream.serve;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics}: Micrometer's Prometheus registry with the JVM's meters, the Kafka client
 * metrics of this server's own clients (the view's consumers, the status's admin client), the
 * catalogue's own (features alive, labels, dead letters by reason, LLM calls and tokens) and,
 * inside {@code run}, the stages' (Kafka Streams metrics, with their clients', documents and tokens
 * encoded).
 */
final class Metrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Metrics.class);

    /** How often the Kafka client binders look for metrics the clients added. */
    static final java.time.Duration REFRESH = java.time.Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final CatalogView view;
    private final AutoCloseable stages;
    private final java.util.Set<String> reasons = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The Kafka client binders of the server's own consumers and admin client. */
    private final java.util.List<KafkaClientMetrics> clients = new java.util.ArrayList<>();

    Metrics(CatalogView view, StatusSource status, LocalStages local) {
        this.view = view;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // one daemon thread refreshes every client's meter list every REFRESH (per-topic metrics appear once a topic
        // is read; Micrometer's default is a minute)
        java.util.concurrent.ScheduledExecutorService refresh =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "serve-kafka-metrics");
                    t.setDaemon(true);
                    return t;
                });
        view.consumers().values().forEach(c -> clients.add(new KafkaClientMetrics(c, Tags.empty(), refresh, REFRESH)));
        clients.add(new KafkaClientMetrics(status.admin(), Tags.empty(), refresh, REFRESH));
        clients.forEach(c -> c.bindTo(registry));
        Gauge.builder(
                        "saestream.features.alive",
                        status,
                        s -> s.status().features().alive())
                .description("features with a state on saestream.features")
                .register(registry);
        Gauge.builder("saestream.labels", status, s -> s.status().labels().labelled())
                .tag("status", "ok")
                .description("features whose latest label is ok or failed")
                .register(registry);
        Gauge.builder("saestream.labels", status, s -> s.status().labels().failed())
                .tag("status", "failed")
                .description("features whose latest label is ok or failed")
                .register(registry);
        FunctionCounter.builder(
                        "saestream.llm.calls", status, s -> s.status().llm().calls())
                .description("LLM calls of the labeller")
                .register(registry);
        FunctionCounter.builder(
                        "saestream.llm.tokens", status, s -> s.status().llm().inputTokens())
                .tag("direction", "input")
                .description("LLM tokens of the labeller")
                .register(registry);
        FunctionCounter.builder(
                        "saestream.llm.tokens", status, s -> s.status().llm().outputTokens())
                .tag("direction", "output")
                .description("LLM tokens of the labeller")
                .register(registry);
        Gauge.builder("saestream.view.restoring", view, v -> v.ready() ? 0 : 1)
                .description("1 while this server still reads the catalogue's topics")
                .register(registry);
        this.stages = local.bindMetrics(registry);
    }

    /** The Prometheus text exposition, with a counter per dead-letter reason seen so far. */
    String scrape() {
        for (String reason : view.deadLetters().keySet()) {
            if (reasons.add(reason)) {
                FunctionCounter.builder(
                                "saestream.dead.letters",
                                view,
                                v -> v.deadLetters().getOrDefault(reason, 0L))
                        .tag("reason", reason)
                        .description("records on saestream.dlq, by reason")
                        .register(registry);
            }
        }
        return registry.scrape();
    }

    @Override
    public void close() {
        try {
            stages.close();
        } catch (Exception e) {
            log.debug("closing the stages' meters failed", e);
        }
        clients.forEach(KafkaClientMetrics::close);
        gc.close();
        registry.close();
    }
}
