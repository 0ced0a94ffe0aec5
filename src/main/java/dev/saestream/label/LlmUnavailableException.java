package dev.saestream.label;

/**
 * The LLM could not be reached or kept refusing (429, 5xx, time-outs) after every retry. The
 * feature is not labelled and stays pending; nothing is written for it.
 */
public final class LlmUnavailableException extends Exception {
    public LlmUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
