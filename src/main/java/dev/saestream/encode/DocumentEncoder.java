package dev.saestream.encode;

/**
 * Turns one document's text into its SAE codes. Implementations must be safe to call from
 * several stream threads at once.
 */
public interface DocumentEncoder extends AutoCloseable {
    /** The SAE id every code is namespaced by. */
    String saeId();

    /**
     * Encodes {@code text}.
     *
     * @throws EncodeException for texts that cannot be encoded (the reason goes to the dead-letter topic)
     */
    DocumentCodes encode(String docId, String text) throws EncodeException;

    @Override
    default void close() {}
}
