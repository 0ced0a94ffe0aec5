package dev.saestream.pipeline;

import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.CatalogScope;
import dev.saestream.config.Home;
import dev.saestream.encode.EncodeApp;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.kafka.ConsumerLag;
import dev.saestream.kafka.StreamsProps;
import dev.saestream.kafka.Topics;
import dev.saestream.model.ModelConfig;
import dev.saestream.sae.Sae;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/** The encode and catalog stages running side by side in this JVM, over one Kafka session. */
public final class Pipeline implements AutoCloseable {
    private final SaeDocumentEncoder encoder;
    private final EncodeApp encode;
    private final CatalogApp catalog;
    private final EncodeConfig encodeConfig;
    private final CatalogConfig catalogConfig;

    private Pipeline(
            SaeDocumentEncoder encoder,
            EncodeApp encode,
            CatalogApp catalog,
            EncodeConfig encodeConfig,
            CatalogConfig catalogConfig) {
        this.encoder = encoder;
        this.encode = encode;
        this.catalog = catalog;
        this.encodeConfig = encodeConfig;
        this.catalogConfig = catalogConfig;
    }

    /** The transformer and SAEs the encode stage runs (thread-safe, so the web server may borrow it). */
    public SaeDocumentEncoder encoder() {
        return encoder;
    }

    /** The encode stage: its streams and counters. */
    public EncodeApp encode() {
        return encode;
    }

    /** The catalog stage: its streams, counters, restore progress and queries. */
    public CatalogApp catalog() {
        return catalog;
    }

    /**
     * Opens the model with the SAE and starts both stages. Each encode thread runs whole documents
     * through ONNX Runtime on its own, so unless {@code model.threads} says otherwise the session
     * gets one intra-op thread per encode thread's share of the processors.
     */
    public static Pipeline start(
            KafkaSession session,
            ModelConfig model,
            EncodeConfig encodeConfig,
            CatalogConfig catalogConfig,
            int replicationFactor)
            throws IOException {
        return start(session, model, encodeConfig, catalogConfig, null, replicationFactor);
    }

    /**
     * The same, cataloguing {@code scope}'s SAEs; null for the SAE this pipeline encodes, so that a
     * reprocess writing other SAEs' codes beside it is left to its own catalog.
     */
    public static Pipeline start(
            KafkaSession session,
            ModelConfig model,
            EncodeConfig encodeConfig,
            CatalogConfig catalogConfig,
            CatalogScope scope,
            int replicationFactor)
            throws IOException {
        List<Sae> saes = loadSaes(encodeConfig);
        ModelConfig threaded = model.sharingCores(encodeConfig.threads());
        SaeDocumentEncoder encoder = SaeDocumentEncoder.open(threaded, saes, encodeConfig);
        EncodeApp encode = null;
        try {
            encode = EncodeApp.start(
                    encoder,
                    encodeConfig,
                    session.clientConfig(),
                    Home.resolve(catalogConfig.stateDir()).toString(),
                    replicationFactor);
            CatalogApp catalog = CatalogApp.start(
                    catalogConfig,
                    scope != null ? scope : CatalogScope.of(Set.copyOf(encoder.saeIds())),
                    session.clientConfig(),
                    Home.resolve(catalogConfig.stateDir()).toString(),
                    null,
                    replicationFactor);
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
    public static List<Sae> loadSaes(EncodeConfig config) throws IOException {
        List<Sae> saes = new ArrayList<>();
        for (String dir : config.saeDirs()) {
            saes.add(Sae.load(Home.resolve(dir)));
        }
        if (saes.isEmpty()) {
            throw new IllegalArgumentException("encode.sae names no SAE directory");
        }
        return saes;
    }

    /** True when both stages have committed everything on their input topics. */
    public boolean caughtUp(Admin admin) throws InterruptedException {
        return encode.streams().state() == KafkaStreams.State.RUNNING
                && StageStates.catalogCaughtUp(admin, catalog, catalogConfig.applicationId())
                && ConsumerLag.caughtUp(admin, encodeConfig.applicationId(), Set.of(Topics.TEXTS));
    }

    /** Throws when either stage has stopped or failed. */
    public void checkRunning() {
        StageStates.requireRunning(encode.streams(), "the encode stage");
        StageStates.requireRunning(catalog.streams(), "the catalog stage");
    }

    /** Waits until both stages have caught up, calling {@code tick} about once a second. */
    public void awaitCaughtUp(Admin admin, Duration timeout, Runnable tick) throws InterruptedException {
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
    public void awaitSettled(Duration timeout, Runnable tick) throws InterruptedException {
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
