package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {
    @TempDir
    Path dir;

    @Test
    void dataSurvivesARestart() throws Exception {
        BrokerConfig config =
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of());
        try (EmbeddedBroker broker = EmbeddedBroker.start(config)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                new TopicAdmin(admin)
                        .create(List.of(
                                new TopicSpec("kept", 2, (short) 1, "delete", -1, null, null, null, null, null)));
            }
            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("kept", "k" + i, "value " + i))
                            .get();
                }
            }
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(config)) {
            assertThat(readAll(again.bootstrapServers(), "kept", 10))
                    .hasSize(10)
                    .extracting(ConsumerRecord::value)
                    .contains("value 0", "value 9");
        }
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            BrokerConfig config = new BrokerConfig(
                    "127.0.0.1", taken.getLocalPort(), 0, dir.resolve("k2").toString(), Map.of());
            assertThatThrownBy(() -> EmbeddedBroker.start(config))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("broker.port 127.0.0.1:" + taken.getLocalPort() + " is already in use");
        }
    }

    static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic, int expected) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        bootstrap,
                        "group.id",
                        "reader-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }
}
