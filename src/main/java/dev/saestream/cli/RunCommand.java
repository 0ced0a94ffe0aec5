package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream run}: the whole pipeline in one JVM, beside the embedded broker unless a cluster is given. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run saestream on one machine: the embedded Kafka broker (unless --bootstrap-servers is given),",
            "the topics, and the documents (default: the bundled Europarl corpus) streamed into saestream.texts."})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    InputOptions input;

    @Option(names = "--progress", negatable = true, description = "Show progress bars (default: when on a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        if (!input.given()) {
            input.corpus = "europarl";
        }
        ProduceConfig pc = input.produceConfig(settings);
        try (KafkaSession session = KafkaSession.startOrConnect(kafka.cluster(settings), kafka.broker(settings, Map.of()))) {
            System.out.println("kafka: " + session.bootstrapServers());
            session.createTopics();
            ProduceSummary summary = ProduceCommand.produce(session, input, pc, progress);
            return summary.deadLettered() > 0 ? ExitCode.DEAD_LETTERED : ExitCode.OK;
        }
    }
}
