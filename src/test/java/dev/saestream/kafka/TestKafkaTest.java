package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TestKafkaTest {
    @Test
    void sharedClusterRoundTripsARecord() throws Exception {
        String topic = TestKafka.newTopic("smoke", 1);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
        }
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        TestKafka.bootstrapServers(),
                        "group.id",
                        TestKafka.unique("g"),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            ConsumerRecords<String, String> got = ConsumerRecords.empty();
            for (int i = 0; i < 50 && got.isEmpty(); i++) {
                got = consumer.poll(Duration.ofMillis(200));
            }
            assertThat(got.count()).isEqualTo(1);
            assertThat(got.iterator().next().value()).isEqualTo("v");
        }
    }
}
