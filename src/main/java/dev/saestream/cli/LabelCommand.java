package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.formats.Json;
import dev.saestream.label.BackgroundIndex;
import dev.saestream.label.Label;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.LabelOnce;
import dev.saestream.label.LabelService;
import dev.saestream.label.Labeller;
import dev.saestream.label.LlmPrices;
import dev.saestream.label.Score;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream label}: the labelling service, or one feature by hand with {@code --once}. */
@Command(
        name = "label",
        mixinStandardHelpOptions = true,
        subcommands = LabelReportCommand.class,
        description = {
            "Labels features: watches the features topic, explains each eligible feature (LLM or offline),"
                    + " scores the explanation and writes the labels topic. Several instances share the work.",
            "With --once --feature SAE/INDEX, labels that one feature now and prints its explanation and scores.",
            "With --reprocess --sae ID, relabels that catalogue with the explainer given, after printing what it will cost."
        })
public final class LabelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LogOptions logs;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--once", description = "label one feature (--feature) and print the result, then exit")
    boolean once;

    @Option(
            names = "--feature",
            paramLabel = "SAE/INDEX",
            description = "the feature for --once, e.g. all-minilm-l6-v2/layer3/topk-3072/17")
    String feature;

    @Option(names = "--write", description = "with --once: also write the label to the labels topic")
    boolean write;

    @Option(names = "--json", description = "with --once: print the label as JSON")
    boolean json;

    @Option(
            names = "--explainer",
            paramLabel = "offline|llm",
            description = "overrides label.explainer (default ${sys:saestream.default.label.explainer})")
    String explainer;

    @Option(
            names = "--scorers",
            split = ",",
            paramLabel = "NAME",
            description = "overrides label.scorers: detection, fuzzing,"
                    + " simulation, intruder, embedding (default ${sys:saestream.default.label.scorers})")
    java.util.List<String> scorers;

    @Option(
            names = "--provider",
            paramLabel = "openai|anthropic|ollama",
            description = "overrides label.llm.provider (default ${sys:saestream.default.label.llm.provider})")
    String provider;

    @Option(names = "--base-url", description = "overrides label.llm.baseUrl")
    String baseUrl;

    @Option(names = "--model", description = "overrides label.llm.model")
    String model;

    @Option(
            names = "--concurrency",
            description =
                    "overrides label.limits.concurrency (default ${sys:saestream.default.label.limits.concurrency})")
    Integer concurrency;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when on a terminal).")
    Boolean progress;

    @Option(
            names = "--reprocess",
            description =
                    "relabel every feature of the catalogue --sae that has enough windows"
                            + " with the explainer and LLM given, keeping the old labels in the history; prints the cost estimate first")
    boolean reprocess;

    @Option(names = "--sae", paramLabel = "ID", description = "with --reprocess: the catalogue's SAE id")
    String sae;

    @Option(names = "--dry-run", description = "with --reprocess: print the cost estimate and stop")
    boolean dryRun;

    @Option(
            names = "--input-price",
            paramLabel = "USD",
            description = "overrides prices.inputPerMillion: dollars per million prompt tokens")
    Double inputPrice;

    @Option(
            names = "--output-price",
            paramLabel = "USD",
            description = "overrides prices.outputPerMillion: dollars per million answer tokens")
    Double outputPrice;

    @Override
    public Integer call() throws Exception {
        if (once && feature == null) {
            throw new IllegalArgumentException("--once needs --feature SAE/INDEX");
        }
        if (!once && (feature != null || write || json)) {
            throw new IllegalArgumentException("--feature, --write and --json go with --once");
        }
        if (reprocess == (sae == null) || (!reprocess && dryRun)) {
            throw new IllegalArgumentException(
                    "--reprocess needs --sae ID, and --sae and --dry-run go with --reprocess");
        }
        if (reprocess && once) {
            throw new IllegalArgumentException("--reprocess and --once do not go together");
        }
        Settings settings = config.settings();
        LabelConfig cfg = settings.section(
                LabelConfig.SECTION,
                LabelConfig.DEFAULTS,
                c -> Flags.on(c)
                        .given(explainer, (l, e) -> l.withExplainer(LabelConfig.ExplainerKind.of(e)))
                        .given(
                                scorers,
                                (l, s) -> l.withScorers(s.stream()
                                        .map(LabelConfig.ScorerKind::of)
                                        .toList()))
                        .given(provider, (l, p) -> l.withLlm(l.llm().withProvider(LabelConfig.Provider.of(p))))
                        .given(baseUrl, (l, u) -> l.withLlm(l.llm().withBaseUrl(u)))
                        .given(model, (l, m) -> l.withLlm(l.llm().withModel(m)))
                        .given(concurrency, (l, n) -> l.withLimits(l.limits().withConcurrency(n)))
                        .config());
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            session.createTopics();
            if (reprocess) {
                LlmPrices prices = settings.section(
                        "prices",
                        LlmPrices.DEFAULTS,
                        c -> Flags.on(c)
                                .given(inputPrice, LlmPrices::withInputPerMillion)
                                .given(outputPrice, LlmPrices::withOutputPerMillion)
                                .config());
                return LabelReprocess.run(
                        cfg,
                        prices,
                        session.clientConfig(),
                        sae,
                        dryRun,
                        progress,
                        spec.commandLine().getOut(),
                        spec.commandLine().getErr(),
                        logs::toFile);
            }
            if (!once) {
                return serve(cfg, session.clientConfig());
            }
            Label label = LabelOnce.label(cfg, session.clientConfig(), System.getenv(), feature, write);
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? Json.writeString(label) : describe(label));
            out.flush();
            return label.status() == Label.Status.OK ? ExitCode.OK : ExitCode.ERROR;
        }
    }

    private int serve(LabelConfig cfg, Map<String, Object> client) throws Exception {
        logs.toFile();
        BackgroundIndex background = new BackgroundIndex();
        Labeller labeller = Labeller.create(cfg, background, System.getenv());
        try (Shutdown stop = Shutdown.install(spec.commandLine().getErr());
                LabelService service = new LabelService(cfg, client, background, labeller)) {
            // on Ctrl-C the run loop ends; the labels in flight are written first (see LabelConfig.handoverSeconds)
            stop.onStop(service::close);
            Thread bar = new Thread(() -> showProgress(service, progress), "label-progress");
            bar.setDaemon(true);
            bar.start();
            try {
                service.run();
            } finally {
                bar.interrupt();
                bar.join(2_000);
            }
            spec.commandLine().getOut().println(service.summary().replace("labels:", "stopped: labels"));
            return stop.exitCode(ExitCode.OK);
        }
    }

    /** Progress on stderr: features labelled of those known to need it, with tokens spent. */
    private static void showProgress(LabelService service, Boolean enabled) {
        try (Progress bar = Progress.start("label", -1, "features", enabled)) {
            while (!Thread.currentThread().isInterrupted()) {
                LabelService.Status p = service.progress();
                long done = p.labelled() + p.failed();
                bar.maxHint(done + p.pending() + p.inFlight());
                bar.stepTo(done);
                bar.extra(
                        p.handingOver() > 0
                                ? "handing over " + p.handingOver() + " label(s) in flight"
                                : p.ready()
                                        ? String.format(
                                                Locale.ROOT,
                                                "%d failed, tokens %,d in / %,d out",
                                                p.failed(),
                                                p.inputTokens(),
                                                p.outputTokens())
                                        : "reading background and labels");
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String describe(Label label) {
        StringBuilder sb = new StringBuilder();
        sb.append(label.key())
                .append(" (version ")
                .append(label.basis().version())
                .append(")\n");
        if (label.status() == Label.Status.OK) {
            sb.append("explanation: ").append(label.explanation()).append('\n');
        } else {
            sb.append("failed: ").append(label.failure()).append('\n');
        }
        Label.ExplainerInfo e = label.explainer();
        sb.append("explainer: ")
                .append(e.kind())
                .append(e.provider() == null ? "" : " " + e.provider())
                .append(' ')
                .append(e.model())
                .append('\n');
        for (Map.Entry<String, Score> s : label.scores().entrySet()) {
            Score v = s.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "%-10s %s = %.3f  95%% CI [%.3f, %.3f]  n = %d  parse failures %d (%.1f%%)%n",
                    s.getKey(),
                    v.metric(),
                    v.value(),
                    v.ciLow(),
                    v.ciHigh(),
                    v.n(),
                    v.parseFailures(),
                    100 * v.parseFailureRate()));
            if (v.baseline() != null) {
                Score.Baseline b = v.baseline();
                sb.append(String.format(
                        Locale.ROOT,
                        "%-10s %s = %.3f  95%% CI [%.3f, %.3f]  for another feature's \"%s\": %s%n",
                        "  null",
                        v.metric(),
                        b.value(),
                        b.ciLow(),
                        b.ciHigh(),
                        b.explanation(),
                        v.informative() ? "informative" : "not clear of the null"));
            }
        }
        sb.append(String.format(
                Locale.ROOT,
                "cost: %d LLM calls, %,d input + %,d output tokens",
                label.cost().calls(),
                label.cost().inputTokens(),
                label.cost().outputTokens()));
        label.warnings().forEach(w -> sb.append("\nwarning: ").append(w));
        return sb.toString();
    }
}
