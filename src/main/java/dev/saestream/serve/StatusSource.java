package dev.saestream.serve;

import dev.saestream.encode.EncodeTopology;
import dev.saestream.label.LlmPrices;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's live state for {@code /api/status} and the events: the view's figures, what Kafka
 * says (offsets and lag, read every {@link ServeConfig#lagIntervalMs} on this class's own thread)
 * and, inside {@code run}, the stages' counters.
 */
final class StatusSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusSource.class);

    private final CatalogView view;
    private final LocalStages local;
    private final AdminClient admin;
    private final StageGroups groups;
    private final LlmPrices prices;
    private final ScheduledExecutorService timer;
    private volatile KafkaFigures kafka = KafkaFigures.UNKNOWN;
    private volatile Double tokensPerSecond;
    private final TokenRate rate = new TokenRate();

    StatusSource(
            CatalogView view,
            LocalStages local,
            Map<String, Object> kafkaProps,
            StageGroups groups,
            long intervalMs,
            LlmPrices prices) {
        this.view = view;
        this.prices = prices;
        this.local = local;
        this.groups = groups;
        Map<String, Object> props = new java.util.HashMap<>(kafkaProps);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        this.admin = AdminClient.create(props);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "serve-status");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            kafka = KafkaFigures.read(admin, groups);
            Long tokens = rateSource();
            if (tokens == null) {
                rate.reset();
            } else {
                tokensPerSecond = rate.add(System.nanoTime(), tokens);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("could not read the pipeline's offsets", e);
        }
    }

    /**
     * What the rate is taken from: inside {@code run}, the tokens the encode stage has encoded; apart
     * from it, the tokens the catalogue has taken in as its feature states say (the most over the SAEs,
     * which each see every token), once the view has caught up with them, as their replay is no rate.
     */
    private Long rateSource() {
        Long encoded = local.tokensEncoded();
        if (encoded != null) {
            return encoded;
        }
        if (!view.ready() || view.saeIds().isEmpty()) {
            return null;
        }
        return view.saeIds().stream()
                .mapToLong(id -> view.sae(id).tokens())
                .max()
                .orElse(0);
    }

    /** The admin client the offsets are read with, for its client metrics. */
    AdminClient admin() {
        return admin;
    }

    KafkaFigures kafka() {
        return kafka;
    }

    /**
     * Documents the SAE's catalogue has seen: the catalogue's own count when it runs here, else,
     * when it is the only SAE, the documents the encode stage has encoded.
     */
    Long documents(String saeId) {
        Long here = local.documents(saeId);
        if (here != null) {
            return here;
        }
        return view.saeIds().size() == 1 ? encoded() : null;
    }

    /** Documents the encode stage has encoded: read by its group, less those it dead-lettered. */
    private Long encoded() {
        Long read = kafka.encodeRead();
        return read == null ? null : Math.max(0, read - view.deadLetters(EncodeTopology.STAGE));
    }

    Api.Status status() {
        long tokens = 0;
        long alive = 0;
        long labelled = 0;
        long failed = 0;
        long calls = 0;
        long in = 0;
        long out = 0;
        Map<String, Long> failures = new TreeMap<>();
        for (String id : view.saeIds()) {
            SaeFeatures s = view.sae(id);
            tokens += s.tokens();
            alive += s.featureCount();
            for (LabelEntry l : s.labels()) {
                if (l.ok()) {
                    labelled++;
                } else {
                    failed++;
                    failures.merge(l.failure(), 1L, Long::sum);
                }
                calls += l.cost().calls();
                in += l.cost().inputTokens();
                out += l.cost().outputTokens();
            }
        }
        Map<String, Long> dead = view.deadLetters();
        long deadTotal = dead.values().stream().mapToLong(Long::longValue).sum();
        KafkaFigures k = kafka;
        LocalStages.LabelFigures lf = local.labels();
        // inside run the labeller's own counters include relabels; apart from it, what the current labels cost
        if (lf != null) {
            calls = lf.calls();
            in = lf.inputTokens();
            out = lf.outputTokens();
        }
        Api.Llm llm = new Api.Llm(calls, in, out, null, prices.configured() ? prices.dollars(in, out) : null);
        return new Api.Status(
                !view.ready(),
                view.saeIds().size(),
                new Api.Documents(k.produced(), encoded(), deadTotal, dead),
                tokens,
                tokensPerSecond,
                new Api.Lag(k.encodeLag(), k.catalogLag(), k.labelLag()),
                new Api.Features(alive),
                new Api.Labels(labelled, lf == null ? null : lf.pending(), failed, failures),
                llm,
                System.currentTimeMillis());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
