package dev.saestream.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real in-JVM KRaft cluster (a combined broker and controller), shared by every test in the
 * JVM and closed when the JVM exits. Tests keep out of each other's way by using their own topic
 * names and application ids ({@link #unique}).
 */
public final class TestKafka {
    private static KafkaClusterTestKit cluster;
    private static int counter;

    private TestKafka() {}

    /** The shared cluster's bootstrap servers, starting it on first use. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cluster.close();
                } catch (Exception ignored) {
                    // the JVM is exiting; the temporary directories go with it
                }
            }));
        }
        return cluster.bootstrapServers();
    }

    public static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /** Creates the topics and waits until their leaders answer, so that a producer can write at once. */
    public static void createTopics(Admin admin, List<NewTopic> topics) throws Exception {
        admin.createTopics(topics).all().get();
        TopicAdmin.awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
    }

    /** A new topic of {@code partitions} on the shared cluster, named after {@code prefix}, its leaders elected. */
    public static String newTopic(String prefix, int partitions) throws Exception {
        String topic = unique(prefix);
        try (Admin admin = admin()) {
            createTopics(admin, List.of(new NewTopic(topic, partitions, (short) 1)));
        }
        return topic;
    }

    /** A name no other test in this JVM uses: for topics, application ids, groups. */
    public static synchronized String unique(String prefix) {
        return prefix + "-" + (++counter) + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    private static KafkaClusterTestKit start() {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build())
                    // one node: internal topics (offsets, transactions) can only have one replica
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test Kafka cluster", e);
        }
    }
}
