package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** {@code --bootstrap-servers} and the topic spec directory: shared by every command that talks to Kafka. */
public final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster to use. Without it, all-in-one commands start the embedded broker and the "
                    + "others connect to it (broker.host:broker.port).")
    String bootstrapServers;

    @Option(
            names = "--topics-dir",
            paramLabel = "DIR",
            description = "Directory of topic specs (default ${sys:saestream.default.kafka.topicsDir}).")
    String topicsDir;

    public ClusterConfig cluster(Settings settings) {
        return settings.section(
                ClusterConfig.SECTION,
                ClusterConfig.defaults(),
                c -> Flags.on(c)
                        .given(bootstrapServers, ClusterConfig::withBootstrapServers)
                        .given(topicsDir, ClusterConfig::withTopicsDir)
                        .config());
    }

    /** The embedded broker's config, its data directory resolved against the saestream home. */
    public BrokerConfig broker(Settings settings) {
        return broker(settings, UnaryOperator.identity());
    }

    /** The embedded broker's config with {@code flags} applied, its data directory resolved against the saestream home. */
    public BrokerConfig broker(Settings settings, UnaryOperator<BrokerConfig> flags) {
        BrokerConfig bc = settings.section(BrokerConfig.SECTION, BrokerConfig.defaults(), flags);
        return new BrokerConfig(
                bc.host(),
                bc.port(),
                bc.controllerPort(),
                Home.resolve(bc.dataDir()).toString(),
                bc.properties());
    }
}
