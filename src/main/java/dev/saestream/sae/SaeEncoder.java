package dev.saestream.sae;

/**
 * Turns activations into sparse codes for one SAE. Implementations differ only in speed and
 * agree with {@link ReferenceEncoder} to 1e-5 relative; see {@link SaeEncoders}.
 */
public interface SaeEncoder extends AutoCloseable {
    /**
     * Each row's active features, sorted by value descending (ties by index). {@code x} is
     * row-major [rows × d_in]; a wrong width or a NaN/infinite value is refused, naming the row.
     */
    SparseCode[] encode(float[] x, int rows);

    /** A short name for benchmarks and logs. */
    String name();

    /** Releases native resources, if any. */
    @Override
    default void close() {}
}
