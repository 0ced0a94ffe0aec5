package dev.saestream.cli;

import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code saestream topics create|list}. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create or list saestream's topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
final class TopicsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Create the topics declared in topics/ (idempotent; an existing topic that differs is an error).")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOption config;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ClusterConfig cluster = kafka.cluster(config.settings());
            try (KafkaSession session = KafkaSession.connect(cluster, kafka.broker(config.settings()))) {
                session.createTopics()
                        .forEach((name, outcome) -> out.printf(
                                "%-24s %s%n",
                                name, outcome == TopicAdmin.Outcome.CREATED ? "created" : "exists, matches its spec"));
            }
            return ExitCode.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List topics with partitions, replication, cleanup policy and record count (offset span:"
                    + " an upper bound on compacted or transactional topics).")
    static final class ListTopics implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOption config;

        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ClusterConfig cluster = kafka.cluster(config.settings());
            try (KafkaSession session = KafkaSession.connect(cluster, kafka.broker(config.settings()));
                    Admin admin = session.admin()) {
                List<TopicAdmin.TopicInfo> topics = new TopicAdmin(admin).list();
                out.printf(
                        "%-52s %10s %11s %-15s %12s %10s%n",
                        "TOPIC", "PARTITIONS", "REPLICATION", "CLEANUP", "RECORDS", "DISK");
                long total = 0;
                for (TopicAdmin.TopicInfo t : topics) {
                    out.printf(
                            "%-52s %10d %11d %-15s %12d %10s%n",
                            t.name(),
                            t.partitions(),
                            t.replicationFactor(),
                            t.cleanupPolicy(),
                            t.records(),
                            megabytes(t.bytes()));
                    total += t.bytes();
                }
                out.printf("%-52s %10s %11s %-15s %12s %10s%n", "total", "", "", "", "", megabytes(total));
            }
            return ExitCode.OK;
        }

        static String megabytes(long bytes) {
            return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
    }
}
