package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.serve.ServeConfig;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of the {@code serve} config section, shared by {@code serve} and {@code run}. */
public final class ServeOptions {
    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address the web server binds (default 127.0.0.1; anything else is reachable from other machines).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port of the web server (default 8080; 0: any free port).")
    Integer port;

    ServeConfig config(Settings settings) {
        Map<String, Object> flags = new HashMap<>();
        flags.put("host", host);
        flags.put("port", port);
        return settings.section(ServeConfig.SECTION, ServeConfig.defaults(), flags);
    }
}
