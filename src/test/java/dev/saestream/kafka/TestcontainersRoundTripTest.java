package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.produce.TextProducer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The produce round trip against Kafka in a container (the apache/kafka image). Runs where a
 * Docker engine is available and is skipped where it is not; the embedded broker covers the same
 * path in {@code TextProducerTest}.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersRoundTripTest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1");

    @Test
    void producedDocumentsRoundTripThroughAContainerBroker() throws Exception {
        String bs = KAFKA.getBootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            new TopicAdmin(admin).create(TopicSpecs.load(Path.of("topics")));
        }
        ProduceSummary summary;
        try (TextProducer p = new TextProducer(
                        TextProducer.newProducer(Map.of("bootstrap.servers", bs), ProduceConfig.defaults()));
                Stream<SourceItem> docs = TextSources.europarl(100, SourceOptions.defaults())) {
            summary = p.produce(docs, null);
        }
        assertThat(summary.produced()).isEqualTo(100);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bs))) {
            long records = new TopicAdmin(admin)
                    .list().stream()
                            .filter(t -> t.name().equals(Topics.TEXTS))
                            .findFirst()
                            .orElseThrow()
                            .records();
            assertThat(records).isEqualTo(100);
        }
        assertThat(List.of(summary.deadLettered())).containsExactly(0L);
    }
}
