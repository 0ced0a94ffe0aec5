package dev.saestream.serve;

import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.model.ModelConfig;
import dev.saestream.sae.Sae;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transformer and SAE behind {@code POST /api/activations}: inside {@code run} the pipeline's
 * own encoder, lent (it is thread-safe: every call runs its own predictor over the shared ONNX
 * Runtime session, as the encode stage's threads do); in a standalone server one opened here, on
 * a thread of its own so that the server answers while the model loads.
 */
public final class EncoderSlot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EncoderSlot.class);

    private final boolean owned;
    private volatile SaeDocumentEncoder encoder;
    private volatile String missing;

    private EncoderSlot(SaeDocumentEncoder encoder, boolean owned, String missing) {
        this.encoder = encoder;
        this.owned = owned;
        this.missing = missing;
    }

    /** The pipeline's encoder, used as it is and closed by its owner. */
    public static EncoderSlot lent(SaeDocumentEncoder encoder) {
        return new EncoderSlot(encoder, false, null);
    }

    /** No encoder: {@code why} is the detail of the 503. */
    public static EncoderSlot none(String why) {
        return new EncoderSlot(null, false, why);
    }

    /** Opens the model with the SAE in the background; closed with this slot. */
    public static EncoderSlot open(ModelConfig model, Sae sae, EncodeConfig encode) {
        EncoderSlot slot = new EncoderSlot(null, true, "the encoder for " + sae.id() + " is still loading");
        Thread t = new Thread(
                () -> {
                    try {
                        SaeDocumentEncoder e = SaeDocumentEncoder.open(model, sae, encode);
                        synchronized (slot) {
                            if (slot.missing == null) {
                                // closed while loading
                                e.close();
                                return;
                            }
                            slot.encoder = e;
                            slot.missing = null;
                        }
                        log.info("encoder ready for {}", e.saeId());
                    } catch (Exception | LinkageError e) {
                        slot.missing = "the encoder could not be opened: " + e.getMessage();
                        log.warn("the encoder for POST /api/activations could not be opened: {}", e.getMessage());
                        log.debug("encoder failure", e);
                    }
                },
                "serve-encoder-load");
        t.setDaemon(true);
        t.start();
        return slot;
    }

    /** The encoder of {@code saeId}, or a 503 {@code no-encoder} saying why there is none. */
    SaeDocumentEncoder get(String saeId) {
        SaeDocumentEncoder e = encoder;
        if (e == null) {
            throw new ApiException(503, "no-encoder", missing);
        }
        if (!e.saeId().equals(saeId)) {
            throw new ApiException(503, "no-encoder", "this server encodes with " + e.saeId() + ", not " + saeId);
        }
        return e;
    }

    @Override
    public synchronized void close() {
        SaeDocumentEncoder e = encoder;
        encoder = null;
        missing = "closed";
        if (owned && e != null) {
            e.close();
        }
    }
}
