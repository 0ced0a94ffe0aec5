package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
    @Test
    void lagIsTheUncommittedRecordsAndARetriableErrorIsNotCaughtUpYet() throws Exception {
        String topic = TestKafka.unique("lag");
        String group = TestKafka.unique("lag-group");
        try (Admin admin = TestKafka.admin()) {
            TestKafka.createTopics(admin, List.of(new NewTopic(topic, 2, (short) 1)));
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    p.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i));
                }
            }
            assertThat(ConsumerLag.of(admin, group, Set.of(topic))).isEqualTo(5);
            assertThat(ConsumerLag.caughtUp(admin, group, Set.of(topic))).isFalse();

            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(3)))
                    .all()
                    .get();
            assertThat(ConsumerLag.of(admin, group, Set.of(topic))).isEqualTo(2);
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 1), new OffsetAndMetadata(2)))
                    .all()
                    .get();
            assertThat(ConsumerLag.of(admin, group, Set.of(topic))).isZero();
            assertThat(ConsumerLag.caughtUp(admin, group, Set.of(topic))).isTrue();

            // a partition still loading: not caught up yet, asked again later; anything else is an error
            Admin loading = FaultyAdmin.offsetLookups(admin, n -> new UnknownTopicOrPartitionException("not loaded"));
            assertThat(ConsumerLag.caughtUp(loading, group, Set.of(topic))).isFalse();
            assertThatThrownBy(() -> ConsumerLag.of(loading, group, Set.of(topic)))
                    .hasMessageContaining("not loaded");
            Admin denied = FaultyAdmin.offsetLookups(admin, n -> new TopicAuthorizationException("not authorised"));
            assertThatThrownBy(() -> ConsumerLag.caughtUp(denied, group, Set.of(topic)))
                    .hasMessageContaining("cannot read the lag of " + group)
                    .hasMessageContaining("not authorised");
        }
    }
}
