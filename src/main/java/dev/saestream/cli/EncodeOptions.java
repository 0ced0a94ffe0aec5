package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import picocli.CommandLine.Option;

/** The flags of the {@code encode} config section, shared by {@code encode} and {@code run}. */
public final class EncodeOptions {
    @Option(
            names = "--sae",
            paramLabel = "DIR",
            description =
                    "SAE directory in SAELens layout (default: the shipped saes/all-minilm-l6-v2-layer3); repeat it"
                            + " for several SAEs (at any hooks of the model) in one transformer pass.")
    java.util.List<String> sae;

    @Option(
            names = "--encode-threads",
            paramLabel = "N",
            description = "Encode stream threads (default ${sys:saestream.default.encode.threads}).")
    Integer threads;

    @Option(names = "--sae-id", paramLabel = "ID", description = "Override the SAE id that namespaces its features.")
    String saeId;

    EncodeConfig config(Settings settings) {
        return settings.section(
                EncodeConfig.SECTION,
                EncodeConfig.defaults(),
                c -> Flags.on(c)
                        .given(sae == null ? null : String.join(",", sae), EncodeConfig::withSae)
                        .given(threads, EncodeConfig::withThreads)
                        .given(saeId, EncodeConfig::withSaeId)
                        .config());
    }
}
