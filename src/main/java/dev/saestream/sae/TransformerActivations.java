package dev.saestream.sae;

import dev.saestream.corpus.Document;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hook activations of documents as the transformer produces them, one token a row in document
 * order ({@link Transformer#extract}: each token once, special tokens as the model is configured).
 * A background thread runs the transformer a few documents ahead, so that it works while the
 * trainer does; only {@value #QUEUED_RUNS} runs' activations wait in memory. The rows arrive in
 * the documents' order whatever the timing, so a seeded training run is repeatable.
 */
public final class TransformerActivations implements ActivationStream {
    private static final Logger log = LoggerFactory.getLogger(TransformerActivations.class);
    /** Runs of activations produced ahead of the reader. */
    static final int QUEUED_RUNS = 2;

    private static final float[] END = new float[0];

    private final int width;
    private final BlockingQueue<float[]> queue = new ArrayBlockingQueue<>(QUEUED_RUNS);
    private final AtomicLong documents = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final Thread producer;
    private volatile Throwable failure;
    private volatile boolean closed;
    private float[] current = new float[0];
    private int at;
    private boolean ended;

    /**
     * Starts reading {@code documents}, {@code documentsPerRun} at a time. The caller keeps
     * ownership of the iterator's source and closes it after {@link #close}.
     */
    public TransformerActivations(Transformer transformer, Iterator<Document> documents, int documentsPerRun) {
        if (documentsPerRun <= 0) {
            throw new IllegalArgumentException("documentsPerRun must be positive, got " + documentsPerRun);
        }
        this.width = transformer.width();
        this.producer = new Thread(() -> produce(transformer, documents, documentsPerRun), "transformer-activations");
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(Transformer transformer, Iterator<Document> docs, int perRun) {
        try {
            while (!closed && docs.hasNext()) {
                List<String> texts = new ArrayList<>(perRun);
                while (texts.size() < perRun && docs.hasNext()) {
                    texts.add(docs.next().text());
                }
                List<TokenActivations> acts = transformer.extract(texts);
                int rows = 0;
                for (TokenActivations a : acts) {
                    rows += a.size();
                }
                float[] run = new float[rows * width];
                int o = 0;
                for (TokenActivations a : acts) {
                    System.arraycopy(a.activations(), 0, run, o, a.activations().length);
                    o += a.activations().length;
                }
                documents.addAndGet(texts.size());
                tokens.addAndGet(rows);
                if (rows > 0) {
                    queue.put(run);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException | Error e) {
            failure = e;
            log.debug("the transformer failed while producing activations", e);
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int width() {
        return width;
    }

    /** Documents the transformer has run so far (some of whose rows may still wait in the queue). */
    public long documents() {
        return documents.get();
    }

    /** Tokens the transformer has produced so far. */
    public long tokens() {
        return tokens.get();
    }

    @Override
    public int read(float[] dst, int maxRows) {
        if (at == current.length) {
            if (ended) {
                return 0;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the transformer", e);
            }
            at = 0;
            if (current == END) {
                ended = true;
                if (failure != null) {
                    throw new IllegalStateException("the transformer failed: " + failure.getMessage(), failure);
                }
                return 0;
            }
        }
        int rows = Math.min(maxRows, (current.length - at) / width);
        System.arraycopy(current, at, dst, 0, rows * width);
        at += rows * width;
        return rows;
    }

    @Override
    public void close() {
        closed = true;
        producer.interrupt();
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
