package dev.saestream.pipeline;

import dev.saestream.config.Settings;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.Topics;
import dev.saestream.label.BackgroundIndex;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LabelService;
import dev.saestream.label.Labeller;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The labelling service running on its own thread beside the pipeline in {@code run}. */
public final class Labelling implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Labelling.class);

    private final LabelConfig config;
    private final LabelService service;
    private final Thread thread;
    private boolean closed;

    private Labelling(LabelConfig config, LabelService service, Thread thread) {
        this.config = config;
        this.service = service;
        this.thread = thread;
    }

    public static Labelling start(Settings settings, KafkaSession session) throws Exception {
        LabelConfig config = settings.section(LabelConfig.SECTION, LabelConfig.DEFAULTS);
        BackgroundIndex background = new BackgroundIndex();
        Labeller labeller = Labeller.create(config, background, System.getenv());
        LabelService service = new LabelService(config, session.clientConfig(), background, labeller);
        Thread thread = new Thread(
                () -> {
                    try {
                        service.run();
                    } catch (RuntimeException e) {
                        log.error("the labeller stopped", e);
                    }
                },
                "labeller");
        thread.setDaemon(true);
        thread.start();
        return new Labelling(config, service, thread);
    }

    /**
     * Waits until the labeller has read every feature the catalogue emitted and has nothing pending
     * or in flight, twice in a row; after the pipeline has caught up, that is every eligible feature.
     */
    public void awaitDone(Admin admin, Pipeline pipeline, Consumer<LabelService.Status> tick)
            throws InterruptedException {
        int quiet = 0;
        long emitted = -1;
        while (quiet < 2 && thread.isAlive()) {
            pipeline.checkRunning();
            LabelService.Status p = service.progress();
            tick.accept(p);
            long now = pipeline.catalog().counters().emitted.get();
            boolean done = p.ready()
                    && now == emitted
                    && p.pending() == 0
                    && p.inFlight() == 0
                    && ConsumerLag.caughtUp(admin, config.topics().groupId(), Set.of(Topics.FEATURES));
            quiet = done ? quiet + 1 : 0;
            emitted = now;
            Thread.sleep(2_000);
        }
    }

    public LabelService.Status progress() {
        return service.progress();
    }

    public String summary() {
        return service.summary();
    }

    /** Stops the labeller and waits for its handover; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        service.close();
        try {
            thread.join(config.limits().handoverSeconds() * 1000L + 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
