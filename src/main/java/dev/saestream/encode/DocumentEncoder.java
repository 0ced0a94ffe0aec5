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

    /** Every SAE id this encoder writes, when several SAEs share one transformer pass. */
    default java.util.List<String> saeIds() {
        return java.util.List.of(saeId());
    }

    /** The codes of every SAE for {@code text}, one record each, in {@link #saeIds()} order. */
    default java.util.List<DocumentCodes> encodeAll(String docId, String text) throws EncodeException {
        return java.util.List.of(encode(docId, text));
    }

    @Override
    default void close() {}
}
