package dev.saestream.sae;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The architectures cfg.json files may name: the built-in {@link Architecture}s and any added with
 * {@link #register}. Process-wide, like a JDBC driver list, because SAEs are loaded by name from
 * many places (the stages, the commands, export) that should all see the same architectures.
 */
public final class SaeArchitectures {
    private static final Map<String, SaeArchitecture> BY_NAME = new LinkedHashMap<>();

    static {
        for (Architecture a : Architecture.values()) {
            BY_NAME.put(a.cfgName(), a);
        }
    }

    private SaeArchitectures() {}

    /**
     * Makes {@code architecture} loadable by its cfg.json name. Registering the same object again
     * is harmless; another one under a taken name is refused, so a built-in cannot be replaced.
     */
    public static synchronized void register(SaeArchitecture architecture) {
        String name = key(architecture.cfgName());
        if (name.isBlank()) {
            throw new IllegalArgumentException(
                    "an SAE architecture needs a cfg.json name, got '" + architecture.cfgName() + "'");
        }
        SaeArchitecture taken = BY_NAME.get(name);
        if (taken != null && !taken.equals(architecture)) {
            throw new IllegalArgumentException("SAE architecture '" + name + "' is already registered (" + taken + ")");
        }
        BY_NAME.put(name, architecture);
    }

    /** The architecture cfg.json calls {@code name} (case-insensitive; absent means standard). */
    public static synchronized SaeArchitecture forCfgName(String name) {
        SaeArchitecture a = BY_NAME.get(name == null ? Architecture.STANDARD.cfgName() : key(name));
        if (a == null) {
            throw new IllegalArgumentException(
                    "unsupported SAE architecture '" + name + "'; supported: " + BY_NAME.keySet());
        }
        return a;
    }

    /** Every registered architecture, the built-ins first. */
    public static synchronized List<SaeArchitecture> all() {
        return List.copyOf(BY_NAME.values());
    }

    private static String key(String cfgName) {
        return cfgName == null ? "" : cfgName.toLowerCase(Locale.ROOT);
    }
}
