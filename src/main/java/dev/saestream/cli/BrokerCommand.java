package dev.saestream.cli;

import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.TopicAdmin;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream broker}: the embedded single-node KRaft broker, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a single-node Kafka broker (KRaft) in this process until Ctrl-C. Data survives restarts.")
final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--host", description = "Address to listen on (default 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "Client port (default 9092; 0 picks a free one).")
    Integer port;

    @Option(names = "--controller-port", description = "KRaft controller port (default 9093).")
    Integer controllerPort;

    @Option(names = "--data-dir", description = "Log directory (default data/kafka).")
    String dataDir;

    @Option(names = "--topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the topics from topics/ at start (default: yes).")
    boolean topics;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new HashMap<>();
        flags.put("host", host);
        flags.put("port", port);
        flags.put("controllerPort", controllerPort);
        flags.put("dataDir", dataDir);
        BrokerConfig bc = kafka.broker(config.settings(), flags);
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedBroker broker = EmbeddedBroker.start(bc);
        Thread hook = new Thread(() -> {
            System.out.println("stopping the broker…");
            broker.close();
            stopped.countDown();
        }, "broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (topics) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                Map<String, TopicAdmin.Outcome> outcome = new TopicAdmin(admin).create(KafkaOptions.specs(kafka.cluster(config.settings())));
                System.out.println("topics: " + outcome);
            }
        }
        System.out.println("bootstrap servers: " + broker.bootstrapServers());
        System.out.println("data: " + broker.dataDir());
        System.out.println("Ctrl-C stops it.");
        stopped.await();
        return ExitCode.OK;
    }
}
