package dev.saestream.cli;

import dev.saestream.catalog.FeatureKey;
import dev.saestream.catalog.FeatureState;
import dev.saestream.config.Settings;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TopicFollower;
import dev.saestream.label.Label;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LabelReport;
import dev.saestream.label.LatestLabels;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream label report}: how good one SAE's labels are, each score beside its null. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Summarises the labels of one SAE as they are on the labels topic: per scorer the mean score"
                    + " and its 95%% interval, the null baseline's, the share of labels whose score clears its null, by"
                    + " density decile and for the features with at least 50 windows, and the parse-failure rate; with"
                    + " the feature states, how much of each label's"
                    + " basis is still its feature's current top windows."
        })
public final class LabelReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--sae",
            required = true,
            paramLabel = "ID",
            description = "the SAE id, e.g. all-minilm-l6-v2/layer3/topk-3072")
    String saeId;

    @Option(
            names = "--features",
            negatable = true,
            defaultValue = "true",
            description = "read the feature states too, for current densities and basis shares (default: true)")
    boolean features;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        LabelConfig cfg = settings.section(LabelConfig.SECTION, LabelConfig.DEFAULTS);
        Duration timeout = Duration.ofMinutes(5);
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            Map<String, Object> client = session.clientConfig();
            List<Label> latest = List.copyOf(LatestLabels.read(cfg.topics().labels(), client, this::ofSae, timeout)
                    .byKey()
                    .values());
            Map<String, FeatureState> states = new HashMap<>();
            if (features) {
                TopicFollower.readToEnd(
                        cfg.topics().features(),
                        client,
                        r -> {
                            if (!ofSae(r.key())) {
                                return;
                            }
                            if (r.value() == null) {
                                states.remove(r.key());
                                return;
                            }
                            FeatureState s = Json.read(r.value(), FeatureState.class);
                            // the reservoir is not needed here, and is most of a state's size
                            states.merge(r.key(), s.withoutReservoir(), (a, b) -> b.version() >= a.version() ? b : a);
                        },
                        timeout);
            }
            if (latest.isEmpty()) {
                throw new IllegalArgumentException("no labels of SAE " + saeId + " on "
                        + cfg.topics().labels() + "; run the labeller first (saestream run, or saestream label)");
            }
            LabelReport report = LabelReport.of(latest, states);
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? Json.writeString(report) + "\n" : "labels of " + saeId + "\n" + report.text());
            out.flush();
            return ExitCode.OK;
        }
    }

    private boolean ofSae(String key) {
        return key != null && key.lastIndexOf('/') > 0 && FeatureKey.saeId(key).equals(saeId);
    }
}
