package dev.saestream.sae;

/**
 * Activations arriving in order, for training on more tokens than fit in memory: straight from
 * a transformer ({@link TransformerActivations}) or any other producer. Read by one thread.
 */
public interface ActivationStream extends AutoCloseable {
    /** Values per row: the hook's width, the SAE's d_in. */
    int width();

    /**
     * Copies up to {@code maxRows} next rows into {@code dst} ([maxRows × width], row-major, from
     * index 0) and returns how many; 0 means the stream is over.
     */
    int read(float[] dst, int maxRows);

    @Override
    void close();
}
