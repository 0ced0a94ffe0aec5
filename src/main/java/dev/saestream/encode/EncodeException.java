package dev.saestream.encode;

/** A document that cannot be encoded, with a machine-friendly reason for the dead-letter topic. */
public final class EncodeException extends Exception {
    /** Nothing left after tokenizing (and dropping special tokens). */
    public static final String EMPTY = "empty-after-tokenizing";
    /** More tokens than the configured cap. */
    public static final String TOO_LONG = "too-many-tokens";
    /** The transformer produced NaN or infinite activations. */
    public static final String NON_FINITE = "non-finite-activations";

    private final String reason;

    public EncodeException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
