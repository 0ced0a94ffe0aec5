package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TopicFollowerTest {
    @Test
    void whatATransactionAbortedIsNeverRead() throws Exception {
        // given a topic written as the stages write theirs, under transactions, one of them aborted
        String topic = TestKafka.newTopic("followed", 2);
        Map<String, Object> kafka = Map.of("bootstrap.servers", TestKafka.bootstrapServers());
        Map<String, Object> props = new java.util.HashMap<>(kafka);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TestKafka.unique("tx"));
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "a", bytes("committed first")));
            p.commitTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "a", bytes("aborted")));
            p.send(new ProducerRecord<>(topic, "b", bytes("aborted too")));
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>(topic, "b", bytes("committed last")));
            p.commitTransaction();
        }

        // when it is read to its end, then only the committed records are seen
        List<String> read = new ArrayList<>();
        TopicFollower.readToEnd(
                topic, kafka, r -> read.add(new String(r.value(), StandardCharsets.UTF_8)), Duration.ofMinutes(1));
        assertThat(read).containsExactlyInAnyOrder("committed first", "committed last");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
