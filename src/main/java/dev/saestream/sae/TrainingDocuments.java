package dev.saestream.sae;

import dev.saestream.corpus.Document;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training documents (held-out ones left out), read again from the start when they run
 * out: the trainer stops at its token count, and a small corpus is revisited like an
 * activations file is.
 */
public final class TrainingDocuments implements Iterator<Document>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingDocuments.class);

    /** Opens the documents afresh for pass {@code pass}, counting from 1. */
    public interface Source {
        Stream<Document> open(int pass) throws java.io.IOException;
    }

    private final Source source;
    private Stream<Document> stream;
    private Iterator<Document> it;
    private long readThisPass;
    private int passes;

    public TrainingDocuments(Source source) {
        this.source = source;
    }

    @Override
    public boolean hasNext() {
        try {
            while (it == null || !it.hasNext()) {
                if (it != null && readThisPass == 0) {
                    return false;
                }
                if (stream != null) {
                    stream.close();
                    log.info("read every training document; starting again from the first (pass {})", passes + 1);
                }
                stream = source.open(passes + 1).filter(DocumentSplit::training);
                it = stream.iterator();
                readThisPass = 0;
                passes++;
            }
            return true;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public Document next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        readThisPass++;
        return it.next();
    }

    /** How many times reading has started from the first document. */
    public int passes() {
        return passes;
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }
}
