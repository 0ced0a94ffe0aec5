package dev.saestream.label;

/**
 * The LLM server refuses the API key or the model: no feature can be labelled until the
 * configuration changes, so labelling stops rather than record a failure for every feature. An
 * {@link IllegalStateException}, as the state of the configuration is what is wrong.
 */
public final class LlmRefusedException extends IllegalStateException {
    public LlmRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
