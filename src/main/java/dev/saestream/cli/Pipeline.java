package dev.saestream.cli;

import dev.saestream.kafka.StreamsProps;
import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.CatalogScope;
import dev.saestream.config.Home;
import dev.saestream.encode.EncodeApp;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.Topics;
import dev.saestream.model.ModelConfig;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/** The encode and catalog stages running side by side in this JVM, over one Kafka session. */
final class Pipeline implements AutoCloseable {
    final SaeDocumentEncoder encoder;
    final EncodeApp encode;
    final CatalogApp catalog;
    private final EncodeConfig encodeConfig;
    private final CatalogConfig catalogConfig;

    private Pipeline(SaeDocumentEncoder encoder, EncodeApp encode, CatalogApp catalog, EncodeConfig encodeConfig,
                     CatalogConfig catalogConfig) {
        this.encoder = encoder;
        this.encode = encode;
        this.catalog = catalog;
        this.encodeConfig = encodeConfig;
        this.catalogConfig = catalogConfig;
    }

    /**
     * Opens the model with the SAE and starts both stages. Each encode thread runs whole documents
     * through ONNX Runtime on its own, so unless {@code model.threads} says otherwise the session
     * gets one intra-op thread per encode thread's share of the processors.
     */
    static Pipeline start(KafkaSession session, ModelConfig model, EncodeConfig encodeConfig, CatalogConfig catalogConfig,
                          int replicationFactor) throws IOException {
        return start(session, model, encodeConfig, catalogConfig, null, replicationFactor);
    }

    /**
     * The same, cataloguing {@code scope}'s SAEs; null for the SAE this pipeline encodes, so that a
     * reprocess writing other SAEs' codes beside it is left to its own catalog.
     */
    static Pipeline start(KafkaSession session, ModelConfig model, EncodeConfig encodeConfig, CatalogConfig catalogConfig,
                          CatalogScope scope, int replicationFactor) throws IOException {
        List<Sae> saes = loadSaes(encodeConfig);
        ModelConfig threaded = model.sharingCores(encodeConfig.threads());
        SaeDocumentEncoder encoder = SaeDocumentEncoder.open(threaded, saes, encodeConfig);
        EncodeApp encode = null;
        try {
            encode = EncodeApp.start(encoder, encodeConfig, session.clientConfig(),
                    Home.resolve(catalogConfig.stateDir()).toString(), replicationFactor);
            CatalogApp catalog = CatalogApp.start(catalogConfig, scope != null ? scope : CatalogScope.of(Set.copyOf(encoder.saeIds())),
                    session.clientConfig(),
                    Home.resolve(catalogConfig.stateDir()).toString(), null, replicationFactor);
            return new Pipeline(encoder, encode, catalog, encodeConfig, catalogConfig);
        } catch (RuntimeException | IOException e) {
            if (encode != null) {
                encode.close();
            }
            encoder.close();
            throw e;
        }
    }

    /** Every SAE the encode config names. */
    static List<Sae> loadSaes(EncodeConfig config) throws IOException {
        List<Sae> saes = new java.util.ArrayList<>();
        for (String dir : config.saeDirs()) {
            saes.add(Sae.load(Home.resolve(dir)));
        }
        if (saes.isEmpty()) {
            throw new IllegalArgumentException("encode.sae names no SAE directory");
        }
        return saes;
    }

    /** True when both stages have committed everything on their input topics. */
    boolean caughtUp(Admin admin) throws InterruptedException {
        // running, not restoring: after a restart there may be no lag while the stores still load
        return encode.streams().state() == KafkaStreams.State.RUNNING && catalog.streams().state() == KafkaStreams.State.RUNNING
                && !catalog.restore().restoring()
                && ConsumerLag.caughtUp(admin, encodeConfig.applicationId(), Set.of(Topics.TEXTS))
                && ConsumerLag.caughtUp(admin, catalogConfig.applicationId(), Set.of(Topics.CODES, shardsTopic()));
    }

    String shardsTopic() {
        return catalogConfig.applicationId() + "-catalog-shards-repartition";
    }

    void checkRunning() {
        for (KafkaStreams s : new KafkaStreams[] {encode.streams(), catalog.streams()}) {
            if (s.state() == KafkaStreams.State.ERROR || s.state() == KafkaStreams.State.NOT_RUNNING
                    || s.state() == KafkaStreams.State.PENDING_ERROR) {
                throw new IllegalStateException("a pipeline stage stopped (" + s.state() + "); see the log above");
            }
        }
    }

    /** Waits until both stages have caught up, calling {@code tick} about once a second. */
    void awaitCaughtUp(Admin admin, Duration timeout, Runnable tick) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietTicks = 0;
        while (System.nanoTime() < deadline) {
            checkRunning();
            tick.run();
            // twice in a row: a stage may be between poll and commit
            quietTicks = caughtUp(admin) ? quietTicks + 1 : 0;
            if (quietTicks >= 2) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the pipeline did not catch up within " + timeout.toSeconds() + " s");
    }

    /**
     * After {@link #awaitCaughtUp}: waits until the catalog has settled (every changed feature's
     * state emitted, statistics checkpointed; two checkpoint periods of quiet), so that queries and
     * {@code saestream.features} show everything read. Calls {@code tick} about four times a second.
     */
    void awaitSettled(Duration timeout, Runnable tick) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            checkRunning();
            tick.run();
            if (catalog.counters().settled() && !catalog.restore().restoring()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the catalogue did not settle within " + timeout.toSeconds() + " s");
    }

    /**
     * Closes both stages at once (each commits and checkpoints its state), then the model. An encode
     * thread still inside ONNX Runtime after the timeout keeps the model open: freeing native memory
     * under it would crash the JVM.
     */
    @Override
    public void close() {
        // both start closing now; waiting on one then the other would add their times
        StreamsProps.close(encode.streams(), Duration.ZERO);
        StreamsProps.close(catalog.streams(), Duration.ZERO);
        boolean encodeClosed = false;
        try {
            catalog.close();
        } finally {
            try {
                encodeClosed = encode.close(Duration.ofSeconds(60));
            } finally {
                if (encodeClosed) {
                    encoder.close();
                }
            }
        }
    }
}
