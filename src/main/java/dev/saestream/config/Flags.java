package dev.saestream.config;

import java.util.function.BiFunction;

/**
 * The command-line flags of one config section, applied to its record through the record's typed
 * {@code with…} methods rather than by field name, so that renaming a field breaks the build
 * instead of silently dropping a flag. A flag that was not given is null and leaves the value the
 * defaults, the file and the environment chose.
 *
 * @param <T> the section's record
 */
public final class Flags<T> {
    private T config;

    private Flags(T config) {
        this.config = config;
    }

    /** Flags to apply to {@code config}, the section as the defaults, file and environment made it. */
    public static <T> Flags<T> on(T config) {
        return new Flags<>(config);
    }

    /** Applies {@code with} when the flag was given. */
    public <V> Flags<T> given(V flag, BiFunction<T, ? super V, T> with) {
        if (flag != null) {
            config = with.apply(config, flag);
        }
        return this;
    }

    /** The record with every given flag applied. */
    public T config() {
        return config;
    }

    /**
     * The flag when given, else the configured value: for fields that a record validates together
     * (a width and its k), which are set in one {@code with…} call so that no half-set record is
     * refused on the way.
     */
    public static <V> V or(V flag, V configured) {
        return flag != null ? flag : configured;
    }
}
