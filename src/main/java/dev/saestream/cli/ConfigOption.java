package dev.saestream.cli;

import dev.saestream.config.Settings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: shared by every command that reads configuration. */
public final class ConfigOption {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML config file (default: config/saestream.yaml when present). "
                    + "Precedence: defaults < file < SAESTREAM_* environment < flags.")
    Path file;

    private Settings settings;

    /** The settings, loaded once per command. */
    public Settings settings() {
        if (settings == null) {
            settings = Settings.load(file);
        }
        return settings;
    }
}
