package dev.saestream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates topics from their specs, checks existing ones against them, and lists them with record counts. */
public final class TopicAdmin {
    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    /** What {@link #create} did with each spec. */
    public enum Outcome {
        CREATED,
        EXISTS
    }

    /** A topic as it is on the cluster: partitions and the records between the first and last offset. */
    public record TopicInfo(
            String name, int partitions, int replicationFactor, String cleanupPolicy, long records, long bytes) {}

    /** How long {@link #awaitLeaders} keeps retrying before it gives up. */
    static final Duration LEADER_WAIT = Duration.ofSeconds(60);

    private static final String RECREATE_ADVICE = "Delete and recreate them, or change the spec in topics/ to match";

    private final Admin admin;

    public TopicAdmin(Admin admin) {
        this.admin = admin;
    }

    /**
     * Creates every missing topic; an existing topic must match its spec (partitions, replication
     * factor and every config the spec sets), else this fails naming each difference and creates nothing.
     */
    public Map<String, Outcome> create(List<TopicSpec> specs) throws InterruptedException {
        Set<String> existing = existingTopics();
        List<String> conflicts = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                conflicts.addAll(differences(spec));
            }
        }
        if (!conflicts.isEmpty()) {
            throw new IllegalStateException("existing topics differ from their specs: " + String.join("; ", conflicts)
                    + ". " + RECREATE_ADVICE);
        }
        Map<String, Outcome> outcome = new java.util.LinkedHashMap<>();
        List<NewTopic> toCreate = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                outcome.put(spec.name(), Outcome.EXISTS);
            } else {
                toCreate.add(new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor())
                        .configs(spec.topicConfigs()));
                outcome.put(spec.name(), Outcome.CREATED);
            }
        }
        if (!toCreate.isEmpty()) {
            var result = admin.createTopics(toCreate);
            for (NewTopic t : toCreate) {
                try {
                    result.values().get(t.name()).get();
                    log.info("created topic {} ({} partitions)", t.name(), t.numPartitions());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        // created concurrently by another instance: once it is loaded, check it like any existing topic
                        awaitLeaders(admin, List.of(t.name()));
                        List<String> diff = differences(specFor(specs, t.name()));
                        if (!diff.isEmpty()) {
                            throw new IllegalStateException("a topic created meanwhile differs from its spec: "
                                    + String.join("; ", diff) + ". " + RECREATE_ADVICE);
                        }
                        outcome.put(t.name(), Outcome.EXISTS);
                    } else {
                        throw new IllegalStateException(
                                "cannot create topic " + t.name() + ": "
                                        + e.getCause().getMessage(),
                                e);
                    }
                }
            }
        }
        awaitLeaders(admin, toCreate.stream().map(NewTopic::name).toList());
        return outcome;
    }

    /**
     * Waits until every partition of {@code topics} answers on its leader. The controller's metadata
     * names a leader before that broker has loaded the partition; an idempotent producer writing in
     * between gets NOT_LEADER_OR_FOLLOWER, and retrying several batches at once it can stall on
     * out-of-order sequence numbers until its delivery time-out (seen here: two minutes). The offset
     * lookup can itself fail fast with a retriable error (UNKNOWN_TOPIC_OR_PARTITION while the
     * partition loads), so it is repeated until it succeeds or {@link #LEADER_WAIT} runs out.
     */
    public static void awaitLeaders(Admin admin, Collection<String> topics) throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        long backoffMillis = 10;
        while (true) {
            try {
                admin.listOffsets(everyPartition(
                                admin.describeTopics(topics)
                                        .allTopicNames()
                                        .get()
                                        .values(),
                                OffsetSpec.latest()))
                        .all()
                        .get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(
                            "the leaders of " + topics + " did not answer within " + LEADER_WAIT.toSeconds() + " s: "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
                log.debug(
                        "waiting for the leaders of {}: {}",
                        topics,
                        e.getCause().getMessage());
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 500);
            }
        }
    }

    /** Each way the existing topic differs from {@code spec}, as one phrase each; empty when it matches. */
    public List<String> differences(TopicSpec spec) throws InterruptedException {
        List<String> diffs = new ArrayList<>();
        TopicDescription d =
                get(admin.describeTopics(List.of(spec.name())).allTopicNames()).get(spec.name());
        if (d.partitions().size() != spec.partitions()) {
            diffs.add(
                    spec.name() + " has " + d.partitions().size() + " partitions, the spec says " + spec.partitions());
        }
        int rf = d.partitions().get(0).replicas().size();
        if (rf != spec.replicationFactor()) {
            diffs.add(spec.name() + " has replication factor " + rf + ", the spec says " + spec.replicationFactor());
        }
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config config = get(admin.describeConfigs(List.of(res)).all()).get(res);
        spec.topicConfigs().forEach((k, want) -> {
            ConfigEntry e = config.get(k);
            String have = e == null ? null : e.value();
            if (!want.equals(have)) {
                diffs.add(spec.name() + " has " + k + "=" + have + ", the spec says " + want);
            }
        });
        return diffs;
    }

    /** Every topic (internal ones excluded) with its partitions, replication, cleanup policy and record count. */
    public List<TopicInfo> list() throws InterruptedException {
        Set<String> names = existingTopics();
        if (names.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> desc = get(admin.describeTopics(names).allTopicNames());
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                .toList();
        Map<ConfigResource, Config> configs =
                get(admin.describeConfigs(resources).all());
        Map<String, Long> counts = recordCounts(desc.values());
        Map<String, Long> sizes = bytesOnDisk();
        return desc.values().stream()
                .sorted(java.util.Comparator.comparing(TopicDescription::name))
                .map(t -> new TopicInfo(
                        t.name(),
                        t.partitions().size(),
                        t.partitions().get(0).replicas().size(),
                        configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                                .get("cleanup.policy")
                                .value(),
                        counts.getOrDefault(t.name(), 0L),
                        sizes.getOrDefault(t.name(), 0L)))
                .collect(Collectors.toList());
    }

    /** Bytes on disk per topic, summed over its partitions and every broker's log directories. */
    public Map<String, Long> bytesOnDisk() throws InterruptedException {
        List<Integer> brokers = get(admin.describeCluster().nodes()).stream()
                .map(org.apache.kafka.common.Node::id)
                .toList();
        Map<String, Long> sizes = new HashMap<>();
        get(admin.describeLogDirs(brokers).allDescriptions())
                .values()
                .forEach(dirs -> dirs.values()
                        .forEach(dir -> dir.replicaInfos()
                                .forEach((tp, replica) -> sizes.merge(tp.topic(), replica.size(), Long::sum))));
        return sizes;
    }

    /**
     * Brings the configs of a Kafka Streams application's existing internal topics to
     * {@link InternalTopics}: Streams sets them only when it creates a topic, so a topic made by an
     * older version would otherwise keep growing. Returns the topics changed.
     */
    public List<String> alignInternalTopics(String applicationId) throws InterruptedException {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String name : existingTopics()) {
            if (!name.startsWith(applicationId + "-")) {
                continue;
            }
            Map<String, String> want = name.endsWith("-changelog")
                    ? InternalTopics.CHANGELOG
                    : name.endsWith("-repartition") ? InternalTopics.ALL : Map.of();
            if (want.isEmpty()) {
                continue;
            }
            ops.put(
                    new ConfigResource(ConfigResource.Type.TOPIC, name),
                    want.entrySet().stream()
                            .map(e -> new AlterConfigOp(
                                    new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                            .toList());
        }
        if (!ops.isEmpty()) {
            get(admin.incrementalAlterConfigs(ops).all());
        }
        return ops.keySet().stream().map(ConfigResource::name).sorted().toList();
    }

    /** {@link #alignInternalTopics(String)} over a short-lived admin client. */
    public static void alignInternalTopics(Map<String, Object> clientConfig, String applicationId) {
        try (Admin admin = Admin.create(clientConfig)) {
            List<String> changed = new TopicAdmin(admin).alignInternalTopics(applicationId);
            if (!changed.isEmpty()) {
                log.info("internal topics of {} set to roll and compact: {}", applicationId, changed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Records in {@code topic}: end minus start offsets over its partitions (an upper bound under compaction or transactions). */
    public long records(String topic) throws InterruptedException {
        return recordCounts(get(admin.describeTopics(List.of(topic)).allTopicNames())
                        .values())
                .getOrDefault(topic, 0L);
    }

    private Map<String, Long> recordCounts(Collection<TopicDescription> topics) throws InterruptedException {
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> lo = get(
                admin.listOffsets(everyPartition(topics, OffsetSpec.earliest())).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> hi = get(
                admin.listOffsets(everyPartition(topics, OffsetSpec.latest())).all());
        Map<String, Long> counts = new HashMap<>();
        hi.forEach((tp, info) ->
                counts.merge(tp.topic(), info.offset() - lo.get(tp).offset(), Long::sum));
        return counts;
    }

    /** An offset lookup's request: every partition of the described topics, each asked for {@code spec}. */
    public static Map<TopicPartition, OffsetSpec> everyPartition(Collection<TopicDescription> topics, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        topics.forEach(t ->
                t.partitions().forEach(p -> request.put(new TopicPartition(t.name(), p.partition()), spec)));
        return request;
    }

    private Set<String> existingTopics() throws InterruptedException {
        return get(admin.listTopics().names());
    }

    private static TopicSpec specFor(Collection<TopicSpec> specs, String name) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Kafka admin request failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
