package dev.saestream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (broker and KRaft controller in one process) inside this JVM: the
 * default for running saestream on one machine, no Docker needed. The log directory is formatted
 * by Kafka's own StorageTool on first start and reused after, so topics and data survive restarts.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;

    private EmbeddedBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it answers. */
    public static EmbeddedBroker start(BrokerConfig config) throws IOException {
        Path dir = Path.of(config.dataDir()).toAbsolutePath();
        Files.createDirectories(dir);
        int port = config.port() == 0 ? freePort(config.host()) : config.port();
        int controllerPort = config.controllerPort() == 0 ? freePort(config.host()) : config.controllerPort();
        checkFree(config.host(), port, "broker.port");
        checkFree(config.host(), controllerPort, "broker.controllerPort");
        Properties props = properties(config, dir, port, controllerPort);
        Path propsFile = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propsFile)) {
            props.store(out, "written by saestream at every start; edit config/ instead");
        }
        if (!Files.exists(dir.resolve("meta.properties"))) {
            format(propsFile);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "the embedded Kafka broker failed to start in " + dir + ": " + e.getMessage()
                            + " (is another broker using this data directory?)",
                    e);
        }
        String bootstrap = config.host() + ":" + port;
        EmbeddedBroker broker = new EmbeddedBroker(server, bootstrap, dir);
        broker.awaitReady();
        log.info("embedded Kafka broker ready at {} (data in {})", bootstrap, dir);
        return broker;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Blocks until the broker has shut down (after {@link #close} from another thread). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        log.info("embedded Kafka broker at {} stopped", bootstrapServers);
    }

    static Properties properties(BrokerConfig config, Path dir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + config.host() + ":" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://" + config.host() + ":" + port + ",CONTROLLER://" + config.host() + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + config.host() + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());
        // one node: every internal topic can have one replica only
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // topics come from topics/ specs; a typo should fail, not create a topic
        p.put("auto.create.topics.enable", "false");
        // disk that follows the live state: the cleaner looks for dirty logs every 5 s (Kafka: 15 s),
        // segments below a purged or expired start offset go within a minute (5), and files a
        // clean-up removed are deleted after 5 s (60)
        p.put("log.cleaner.backoff.ms", "5000");
        p.put("log.retention.check.interval.ms", "60000");
        p.put("log.segment.delete.delay.ms", "5000");
        // The cleaner zeroes its whole dedupe map before cleaning each log: at Kafka's 128 MB that took
        // a third of its time here, with a few dozen small compacted logs cleaned every few seconds.
        // 16 MB maps about 600,000 keys per pass, more than any one changelog partition holds at the defaults.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 << 20));
        p.putAll(config.properties());
        return p;
    }

    private static void format(Path propsFile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(
                    new String[] {
                        "format",
                        "--config",
                        propsFile.toString(),
                        "--cluster-id",
                        Uuid.randomUuid().toString()
                    },
                    ps);
        } catch (RuntimeException e) {
            throw new IllegalStateException("formatting the Kafka data directory failed: " + e.getMessage(), e);
        }
        if (code != 0) {
            throw new IllegalStateException("formatting the Kafka data directory failed: "
                    + out.toString(StandardCharsets.UTF_8).strip());
        }
        log.debug("storage format: {}", out.toString(StandardCharsets.UTF_8).strip());
    }

    private void awaitReady() {
        try (Admin admin = Admin.create(java.util.Map.of("bootstrap.servers", bootstrapServers))) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the embedded Kafka broker did not become ready at " + bootstrapServers, e);
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    private static void checkFree(String host, int port, String what) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new IllegalStateException(
                    what + " " + host + ":" + port + " is already in use; is another broker running?"
                            + " Stop it, pass --bootstrap-servers to use it, or choose another port");
        }
    }
}
