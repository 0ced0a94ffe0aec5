package dev.saestream.cli;

import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.CatalogScope;
import dev.saestream.catalog.CatalogTotals;
import dev.saestream.config.Flags;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.kafka.StreamsProps;
import dev.saestream.pipeline.KafkaSession;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream catalog}: the catalog stage alone; start several with the same application id to share the work. */
@Command(
        name = "catalog",
        mixinStandardHelpOptions = true,
        description = {
            "Run the catalog stage: saestream.codes -> per-feature statistics, exact top-k windows and",
            "reservoirs -> saestream.features and saestream.background. Instances with the same application id",
            "share the partitions; give each its own --application-server to query across them. Runs until Ctrl-C."
        })
final class CatalogCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    LogOptions logs;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--application-server",
            paramLabel = "HOST:PORT",
            description = "Where this instance answers the other instances' queries (needed with several instances).")
    String applicationServer;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Kafka Streams state directory (default ${sys:saestream.default.catalog.stateDir}).")
    String stateDir;

    @Option(names = "--threads", description = "Stream threads in this instance.")
    Integer threads;

    @Option(
            names = "--application-id",
            description = "Kafka Streams application id (default ${sys:saestream.default.catalog.applicationId}).")
    String applicationId;

    @Option(names = "--progress", negatable = true, description = "Show live counts (default: when on a terminal).")
    Boolean progress;

    @Option(
            names = "--sae-id",
            paramLabel = "ID",
            description = "Catalogue only this SAE's codes (repeatable; default: every SAE on saestream.codes).")
    java.util.Set<String> saeIds;

    static CatalogConfig catalogConfig(Settings settings, Integer threads, String applicationId, String stateDir) {
        return settings.section(
                CatalogConfig.SECTION,
                CatalogConfig.defaults(),
                c -> Flags.on(c)
                        .given(threads, CatalogConfig::withThreads)
                        .given(applicationId, CatalogConfig::withApplicationId)
                        .given(stateDir, (cc, dir) -> cc.withState(cc.persistentWindows(), dir))
                        .config());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        logs.toFile();
        Settings settings = config.settings();
        CatalogConfig cc = catalogConfig(settings, threads, applicationId, stateDir);
        try (Shutdown stop = Shutdown.install(spec.commandLine().getErr());
                KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            session.createTopics();
            try (CatalogApp app = CatalogApp.start(
                            cc,
                            CatalogScope.of(saeIds),
                            session.clientConfig(),
                            Home.resolve(cc.stateDir()).toString(),
                            applicationServer,
                            kafka.cluster(settings).replicationFactor());
                    Progress bar = Progress.start("catalog", -1, "docs", progress)) {
                out.println("catalog running (" + app.shards() + " shards); Ctrl-C stops it");
                while (!stop.await(1_000)) {
                    if (app.streams().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
                        throw new IllegalStateException("the catalog failed; see the log above");
                    }
                    String restoring = app.restore().status();
                    if (restoring != null) {
                        bar.extra(restoring);
                    } else if (app.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                        long docs = 0;
                        long tokens = 0;
                        for (String sae : app.queries().local().saeIds()) {
                            CatalogTotals t = app.queries().local().totals(sae);
                            docs += t.documents();
                            tokens += t.tokens();
                        }
                        bar.stepTo(docs);
                        bar.extra(tokens + " tokens");
                    }
                }
                StreamsProps.close(app.streams(), Duration.ofSeconds(30));
                out.printf(
                        "stopped: %,d feature states emitted%n",
                        app.counters().emitted.get());
            }
            return stop.exitCode(ExitCode.OK);
        }
    }
}
