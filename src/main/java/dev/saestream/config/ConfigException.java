package dev.saestream.config;

/** A configuration the user must fix; the message says what and where. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
