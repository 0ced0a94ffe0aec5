package dev.saestream.kafka;

import java.util.Map;

/**
 * The embedded single-node KRaft broker (config section {@code broker}).
 *
 * @param host           address to listen on and advertise
 * @param port           client port (0 picks a free one)
 * @param controllerPort KRaft controller port (0 picks a free one)
 * @param dataDir        log directory; reused across restarts, so data survives them
 * @param properties     extra broker properties, passed through
 */
public record BrokerConfig(String host, int port, int controllerPort, String dataDir, Map<String, String> properties) {
    public static final String SECTION = "broker";

    public BrokerConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("broker.host must be given");
        }
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException(
                    "broker ports must be in 0..65535, got " + port + " and " + controllerPort);
        }
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("broker.port and broker.controllerPort must differ, both are " + port);
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalArgumentException("broker.dataDir must be given");
        }
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public static BrokerConfig defaults() {
        return new BrokerConfig("127.0.0.1", 9092, 9093, "data/kafka", Map.of());
    }

    public BrokerConfig withHost(String host) {
        return new BrokerConfig(host, port, controllerPort, dataDir, properties);
    }

    public BrokerConfig withPort(int port) {
        return new BrokerConfig(host, port, controllerPort, dataDir, properties);
    }

    public BrokerConfig withControllerPort(int controllerPort) {
        return new BrokerConfig(host, port, controllerPort, dataDir, properties);
    }

    public BrokerConfig withDataDir(String dataDir) {
        return new BrokerConfig(host, port, controllerPort, dataDir, properties);
    }
}
