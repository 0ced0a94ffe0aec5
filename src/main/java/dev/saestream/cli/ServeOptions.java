package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.serve.ServeConfig;
import picocli.CommandLine.Option;

/** The flags of the {@code serve} config section, shared by {@code serve} and {@code run}. */
public final class ServeOptions {
    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            description =
                    "Address the web server binds (default ${sys:saestream.default.serve.host}; anything but a loopback address is reachable from"
                            + " other machines).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port of the web server (default ${sys:saestream.default.serve.port}; 0: any free port).")
    Integer port;

    ServeConfig config(Settings settings) {
        return settings.section(
                ServeConfig.SECTION,
                ServeConfig.defaults(),
                c -> Flags.on(c)
                        .given(host, ServeConfig::withHost)
                        .given(port, ServeConfig::withPort)
                        .config());
    }
}
