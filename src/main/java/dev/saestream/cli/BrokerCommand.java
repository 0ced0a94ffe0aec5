package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream broker}: the embedded single-node KRaft broker, until Ctrl-C. */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) in this process until Ctrl-C. Data survives restarts.")
final class BrokerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LogOptions logs;

    @Option(names = "--host", description = "Address to listen on (default ${sys:saestream.default.broker.host}).")
    String host;

    @Option(
            names = "--port",
            description = "Client port (default ${sys:saestream.default.broker.port}; 0 picks a free one).")
    Integer port;

    @Option(
            names = "--controller-port",
            description = "KRaft controller port (default ${sys:saestream.default.broker.controllerPort}).")
    Integer controllerPort;

    @Option(names = "--data-dir", description = "Log directory (default ${sys:saestream.default.broker.dataDir}).")
    String dataDir;

    @Option(
            names = "--topics",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Create the topics from topics/ at start (default: yes).")
    boolean topics;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        logs.toFile();
        BrokerConfig bc = kafka.broker(
                config.settings(),
                c -> Flags.on(c)
                        .given(host, BrokerConfig::withHost)
                        .given(port, BrokerConfig::withPort)
                        .given(controllerPort, BrokerConfig::withControllerPort)
                        .given(dataDir, BrokerConfig::withDataDir)
                        .config());
        int code;
        try (Shutdown stop = Shutdown.install(spec.commandLine().getErr())
                        .message("stopping the broker (Ctrl-C again to force)");
                EmbeddedBroker broker = EmbeddedBroker.start(bc)) {
            if (topics) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                    Map<String, TopicAdmin.Outcome> outcome =
                            new TopicAdmin(admin).create(KafkaSession.topicSpecs(kafka.cluster(config.settings())));
                    out.println("topics: " + outcome);
                }
            }
            out.println("bootstrap servers: " + broker.bootstrapServers());
            out.println("data: " + broker.dataDir());
            out.println("Ctrl-C stops it.");
            stop.await();
            code = stop.exitCode(ExitCode.OK);
        }
        out.println("broker stopped");
        return code;
    }
}
