package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TopicAdminTest {
    private static TopicSpec spec(String name, int partitions, String policy) {
        return new TopicSpec(
                name,
                partitions,
                (short) 1,
                policy,
                86_400_000L,
                policy.contains("compact") ? Map.of("min.cleanable.dirty.ratio", "0.1") : Map.of(),
                Map.of(),
                "k",
                "v",
                null);
    }

    @Test
    void creatingTwiceIsIdempotent() throws Exception {
        List<TopicSpec> specs =
                List.of(spec(TestKafka.unique("t"), 3, "delete"), spec(TestKafka.unique("c"), 2, "compact"));
        try (Admin admin = TestKafka.admin()) {
            TopicAdmin topics = new TopicAdmin(admin);
            assertThat(topics.create(specs).values()).containsOnly(TopicAdmin.Outcome.CREATED);
            assertThat(topics.create(specs).values()).containsOnly(TopicAdmin.Outcome.EXISTS);
            assertThat(topics.differences(specs.get(1))).isEmpty();
        }
    }

    @Test
    void anExistingTopicThatDiffersIsAClearErrorNamingEachDifference() throws Exception {
        String name = TestKafka.unique("conflict");
        try (Admin admin = TestKafka.admin()) {
            TopicAdmin topics = new TopicAdmin(admin);
            topics.create(List.of(spec(name, 2, "delete")));
            assertThatThrownBy(() -> topics.create(List.of(spec(name, 4, "compact"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(name + " has 2 partitions, the spec says 4")
                    .hasMessageContaining(name + " has cleanup.policy=delete, the spec says compact")
                    .hasMessageContaining("min.cleanable.dirty.ratio");
        }
    }

    @Test
    void creationWaitsThroughAPartitionThatIsNotLoadedYet() throws Exception {
        // CI saw the broker answer the first offset lookup after creation with UNKNOWN_TOPIC_OR_PARTITION
        TopicSpec spec = spec(TestKafka.unique("loading"), 2, "delete");
        try (Admin real = TestKafka.admin()) {
            AtomicInteger lookups = new AtomicInteger();
            Admin loading = FaultyAdmin.offsetLookups(real, n -> {
                lookups.set(n);
                return n <= 3
                        ? new UnknownTopicOrPartitionException("This server does not host this topic-partition.")
                        : null;
            });
            assertThat(new TopicAdmin(loading).create(List.of(spec)).values()).containsOnly(TopicAdmin.Outcome.CREATED);
            assertThat(lookups).hasValue(4);

            Admin broken = FaultyAdmin.offsetLookups(real, n -> new TopicAuthorizationException("not authorised"));
            assertThatThrownBy(() -> TopicAdmin.awaitLeaders(broken, List.of(spec.name())))
                    .hasMessageContaining("not authorised");
        }
    }

    @Test
    void aTopicCreatedByAnotherInstanceMeanwhileIsCheckedLikeAnExistingOne() throws Exception {
        TopicSpec same = spec(TestKafka.unique("race"), 2, "delete");
        TopicSpec differs = spec(TestKafka.unique("race"), 2, "delete");
        try (Admin real = TestKafka.admin()) {
            assertThat(new TopicAdmin(rivalCreatesAfterListing(real, same, 2)).create(List.of(same)))
                    .containsExactly(Map.entry(same.name(), TopicAdmin.Outcome.EXISTS));
            assertThatThrownBy(
                            () -> new TopicAdmin(rivalCreatesAfterListing(real, differs, 3)).create(List.of(differs)))
                    .hasMessageContaining(differs.name() + " has 3 partitions, the spec says 2");
        }
    }

    /** An admin whose topic listing is overtaken: another instance creates the topic right after it. */
    private static Admin rivalCreatesAfterListing(Admin real, TopicSpec spec, int partitions) {
        return (Admin) Proxy.newProxyInstance(
                Admin.class.getClassLoader(), new Class<?>[] {Admin.class}, (proxy, method, args) -> {
                    Object result = method.invoke(real, args);
                    if (method.getName().equals("listTopics")) {
                        ((ListTopicsResult) result).names().get();
                        real.createTopics(List.of(
                                        new NewTopic(spec.name(), partitions, (short) 1).configs(spec.topicConfigs())))
                                .all()
                                .get();
                    }
                    return result;
                });
    }

    @Test
    void listShowsPartitionsPolicyAndRecordCounts() throws Exception {
        String name = TestKafka.unique("listed");
        try (Admin admin = TestKafka.admin();
                var producer = new KafkaProducer<>(
                        Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer())) {
            TopicAdmin topics = new TopicAdmin(admin);
            topics.create(List.of(spec(name, 3, "delete")));
            for (int i = 0; i < 7; i++) {
                producer.send(new ProducerRecord<>(name, "k" + i, "v")).get();
            }
            TopicAdmin.TopicInfo info = topics.list().stream()
                    .filter(t -> t.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            assertThat(info).isEqualTo(new TopicAdmin.TopicInfo(name, 3, 1, "delete", 7, info.bytes()));
            // seven records of a few bytes each, with their batch headers (61 bytes per batch at least)
            assertThat(info.bytes()).as("bytes on disk").isGreaterThanOrEqualTo(7 * 61L);
        }
    }

    @Test
    void theRepositorySpecsLoadAndNameTheirSchemas() throws Exception {
        List<TopicSpec> specs = TopicSpecs.load(Path.of("topics"));
        assertThat(specs).extracting(TopicSpec::name).contains(Topics.TEXTS, Topics.DLQ);
        assertThat(specs).allSatisfy(s -> assertThat(s.valueSchema()).isNotBlank());
    }

    @Test
    void aBadSpecIsAClearError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(
                dir.resolve("x.yaml"),
                "name: x\npartitions: 0\nreplicationFactor: 1\ncleanupPolicy: delete\nretentionMs: 1\n");
        assertThatThrownBy(() -> TopicSpecs.load(dir)).hasMessageContaining("partitions must be at least 1, got 0");
        java.nio.file.Files.writeString(
                dir.resolve("x.yaml"),
                "name: x\npartitions: 1\nreplicationFactor: 1\ncleanupPolicy: sometimes\nretentionMs: 1\n");
        assertThatThrownBy(() -> TopicSpecs.load(dir)).hasMessageContaining("cleanupPolicy must be delete, compact");
        java.nio.file.Files.writeString(
                dir.resolve("x.yaml"),
                "name: x\npartitions: 1\nreplicationFactor: 1\ncleanupPolicy: delete\nretentionMs: 1\nvalueSchema: nope.json\n");
        assertThatThrownBy(() -> TopicSpecs.load(dir)).hasMessageContaining("value schema nope.json does not exist");
    }
}
