package dev.saestream.config;

import java.nio.file.Path;

/**
 * Where saestream's own directories ({@code config/}, {@code topics/}, {@code data/}) are: the
 * {@code saestream.home} system property (set by the launcher script), else the working directory.
 * Paths the user types on the command line stay relative to the working directory.
 */
public final class Home {
    public static final String PROPERTY = "saestream.home";

    private Home() {}

    public static Path dir() {
        String home = System.getProperty(PROPERTY);
        return home == null || home.isBlank()
                ? Path.of("").toAbsolutePath()
                : Path.of(home).toAbsolutePath();
    }

    /** {@code path} itself when absolute, else resolved against the home directory. */
    public static Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : dir().resolve(p);
    }
}
