package dev.saestream.cli;

import dev.saestream.catalog.CatalogApp;
import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.CatalogScope;
import dev.saestream.config.Flags;
import dev.saestream.config.Home;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.kafka.TopicAdmin;
import dev.saestream.kafka.Topics;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.pipeline.StageStates;
import dev.saestream.sae.Sae;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream reprocess}: the history on Kafka through a new SAE (or new catalog settings),
 * into a new catalogue beside the live one. Its Kafka Streams applications are named after the new
 * SAE id, so a killed reprocess resumes from its own committed offsets and changelogs, exactly once.
 */
@Command(
        name = "reprocess",
        mixinStandardHelpOptions = true,
        description = {
            "Replay saestream.texts through the transformer and a new SAE into a new catalogue beside the",
            "live one (its own application ids, the same topics), with progress, until it has caught up (--follow",
            "carries on live). --from-codes SAE_ID rebuilds a catalogue from saestream.codes under a new id with",
            "other catalog settings, without running the transformer. Killed and started again, it resumes."
        })
final class ReprocessCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ModelOptions model;

    @Mixin
    EncodeOptions encode;

    @ArgGroup(exclusive = true)
    Start start;

    static final class Start {
        @Option(
                names = "--from-beginning",
                description = "Replay everything the topic holds (the default for a new reprocess).")
        boolean beginning;

        @Option(
                names = "--from",
                paramLabel = "TIME",
                description =
                        "Replay from this time: an ISO-8601 instant (2026-12-01T00:00:00Z) or a duration ago (PT6H, P2D).")
        String time;

        @Option(
                names = "--from-offsets",
                paramLabel = "PARTITION:OFFSET",
                split = ",",
                description =
                        "Replay from these offsets of the input topic, e.g. 0:1200,1:1180 (partitions left out: from the beginning).")
        List<String> offsets;
    }

    @Option(
            names = "--from-codes",
            paramLabel = "SAE_ID",
            description =
                    "Rebuild SAE_ID's catalogue from saestream.codes under --sae-id, with the catalog settings given,"
                            + " without the transformer.")
    String fromCodes;

    @Option(names = "--top-k", paramLabel = "N", description = "Top windows per feature in the new catalogue.")
    Integer topK;

    @Option(names = "--before", paramLabel = "N", description = "Tokens before the peak in a window.")
    Integer before;

    @Option(names = "--after", paramLabel = "N", description = "Tokens after the peak in a window.")
    Integer after;

    @Option(names = "--reservoir", paramLabel = "N", description = "Reservoir windows per feature.")
    Integer reservoir;

    @Option(names = "--follow", description = "After catching up, keep cataloguing new input until Ctrl-C.")
    boolean follow;

    @Option(names = "--progress", negatable = true, description = "Show progress bars (default: when on a terminal).")
    Boolean progress;

    @Spec
    CommandSpec spec;

    /** Ctrl-C and SIGTERM: the waits below throw {@link Shutdown.Stopped}; what was open closes in order. */
    private Shutdown stop;

    @Override
    public Integer call() throws Exception {
        try (Shutdown signals = Shutdown.install(spec.commandLine().getErr())) {
            stop = signals;
            try {
                return reprocess();
            } catch (Shutdown.Stopped e) {
                spec.commandLine()
                        .getOut()
                        .println("stopped: a restart resumes where this one was (its offsets and state are committed)");
                return signals.exitCode(ExitCode.OK);
            }
        }
    }

    private int reprocess() throws Exception {
        Settings settings = config.settings();
        PrintWriter out = spec.commandLine().getOut();
        EncodeConfig ec = encode.config(settings);
        if (ec.saeDirs().size() != 1) {
            throw new IllegalArgumentException("reprocess builds one new catalogue: give one --sae (got "
                    + ec.saeDirs().size() + ")");
        }
        String saeId = fromCodes != null
                ? requireNewId(ec.saeId())
                : ec.saeId().isBlank() ? Sae.load(Home.resolve(ec.sae())).id() : ec.saeId();
        String slug = slug(saeId);
        CatalogConfig cc = catalogConfig(settings, "saestream-catalog-" + slug);
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings));
                Admin admin = session.admin()) {
            session.createTopics();
            int rf = kafka.cluster(settings).replicationFactor();
            if (fromCodes != null) {
                if (start != null) {
                    throw new IllegalArgumentException(
                            "--from, --from-offsets and --from-beginning choose where saestream.texts"
                                    + " is replayed from; --from-codes reads saestream.codes from its beginning");
                }
                return fromCodes(out, session, admin, cc, saeId, rf);
            }
            EncodeConfig reEncode = withApplicationId(ec, "saestream-encode-" + slug, saeId);
            long pending = startOffsets(admin, reEncode.applicationId(), out);
            out.printf(
                    "reprocessing saestream.texts into %s: %,d records to read (encode %s, catalog %s)%n",
                    saeId, pending, reEncode.applicationId(), cc.applicationId());
            out.println("the transformer runs again: activations are not kept on a topic, only each SAE's codes");
            out.flush();
            try (Pipeline pipeline =
                    Pipeline.start(session, model.config(settings), reEncode, cc, CatalogScope.of(Set.of(saeId)), rf)) {
                EncodeCounters counters = pipeline.encode().counters();
                long started = System.nanoTime();
                try (Progress bar = Progress.start("reprocess", pending, "docs", progress)) {
                    pipeline.awaitCaughtUp(admin, Duration.ofDays(30), () -> {
                        stop.check();
                        bar.stepTo(counters.read.get());
                        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                        String restoring = pipeline.catalog().restore().status();
                        bar.extra(
                                restoring != null
                                        ? restoring
                                        : String.format("%,.0f tokens/s", counters.tokens.get() / secs));
                    });
                }
                try (Progress bar = Progress.start("catalogue", -1, "feature states", progress)) {
                    pipeline.awaitSettled(Duration.ofHours(1), () -> {
                        stop.check();
                        bar.stepTo(pipeline.catalog().counters().emitted.get());
                    });
                }
                double secs = (System.nanoTime() - started) / 1e9;
                out.printf(
                        "reprocessed %,d documents, %,d tokens in %.1f s into %s; dead-lettered %,d%s%n",
                        counters.encoded.get(),
                        counters.tokens.get(),
                        secs,
                        saeId,
                        counters.deadLettered.get(),
                        counters.deadLettered.get() == 0 ? "" : " " + counters.deadLetterReasons());
                out.flush();
                if (follow) {
                    followUntilStopped(out);
                }
            }
            return ExitCode.OK;
        }
    }

    private int fromCodes(PrintWriter out, KafkaSession session, Admin admin, CatalogConfig cc, String saeId, int rf)
            throws Exception {
        out.printf(
                "rebuilding the catalogue of %s from saestream.codes as %s (top-k %d, window %d + 1 + %d, reservoir %d);"
                        + " the transformer does not run%n",
                fromCodes, saeId, cc.topK(), cc.before(), cc.after(), cc.reservoirSize());
        out.flush();
        CatalogScope scope = new CatalogScope(Set.of(fromCodes), saeId);
        try (CatalogApp app = CatalogApp.start(
                        cc,
                        scope,
                        session.clientConfig(),
                        Home.resolve(cc.stateDir()).toString(),
                        null,
                        rf);
                Progress bar = Progress.start("rebuild", -1, "docs", progress)) {
            int quiet = 0;
            while (quiet < 2) {
                stop.check();
                StageStates.requireRunning(app.streams(), "the catalog");
                bar.stepTo(
                        app.counters().documents.get() + app.counters().otherSae.get());
                quiet = StageStates.catalogCaughtUp(admin, app, cc.applicationId()) ? quiet + 1 : 0;
                Thread.sleep(500);
            }
            while (!app.counters().settled()) {
                stop.check();
                StageStates.requireRunning(app.streams(), "the catalog");
                Thread.sleep(250);
            }
            out.printf(
                    "rebuilt %s from %,d documents of %s (%,d records of other SAEs passed over)%n",
                    saeId,
                    app.counters().documents.get(),
                    fromCodes,
                    app.counters().otherSae.get());
            out.flush();
            if (follow) {
                followUntilStopped(out);
            }
        }
        return ExitCode.OK;
    }

    private void followUntilStopped(PrintWriter out) throws InterruptedException {
        out.println("following new input; Ctrl-C stops");
        out.flush();
        stop.await();
        stop.check();
    }

    private String requireNewId(String saeId) {
        if (saeId == null || saeId.isBlank()) {
            throw new IllegalArgumentException(
                    "--from-codes " + fromCodes + " needs --sae-id: the id of the rebuilt catalogue");
        }
        return saeId;
    }

    private CatalogConfig catalogConfig(Settings settings, String applicationId) {
        return settings.section(
                CatalogConfig.SECTION,
                CatalogConfig.defaults(),
                c -> Flags.on(c)
                        .given(applicationId, CatalogConfig::withApplicationId)
                        .config()
                        .withSamples(
                                Flags.or(topK, c.topK()),
                                Flags.or(before, c.before()),
                                Flags.or(after, c.after()),
                                Flags.or(reservoir, c.reservoirSize())));
    }

    private static EncodeConfig withApplicationId(EncodeConfig c, String applicationId, String saeId) {
        return new EncodeConfig(
                applicationId,
                c.precision(),
                c.maxTokens(),
                c.threads(),
                c.commitIntervalMs(),
                saeId,
                c.sae(),
                c.kMax(),
                c.facet());
    }

    /**
     * Sets where the reprocess's encode application starts on {@code saestream.texts}, unless it has
     * started before (then it resumes, and a start option is an error); returns the records ahead of it.
     */
    private long startOffsets(Admin admin, String group, PrintWriter out)
            throws InterruptedException, ExecutionException {
        Map<String, TopicDescription> desc =
                admin.describeTopics(Set.of(Topics.TEXTS)).allTopicNames().get();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                        TopicAdmin.everyPartition(desc.values(), OffsetSpec.latest()))
                .all()
                .get();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = admin.listOffsets(
                        TopicAdmin.everyPartition(desc.values(), OffsetSpec.earliest()))
                .all()
                .get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        if (!committed.isEmpty()) {
            if (start != null && !start.beginning) {
                throw new IllegalArgumentException(
                        "this reprocess (" + group + ") has started before and resumes where it"
                                + " stopped; to replay from another point, give the new catalogue another --sae-id");
            }
            out.println("resuming where the last run of this reprocess stopped");
        } else if (start != null && (start.time != null || start.offsets != null)) {
            Map<TopicPartition, OffsetAndMetadata> from = new HashMap<>();
            if (start.time != null) {
                long ts = parseTime(start.time);
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> at = admin.listOffsets(
                                TopicAdmin.everyPartition(desc.values(), OffsetSpec.forTimestamp(ts)))
                        .all()
                        .get();
                // no record at or after the time: start at the end
                at.forEach((tp, info) -> from.put(
                        tp,
                        new OffsetAndMetadata(info.offset() < 0 ? ends.get(tp).offset() : info.offset())));
            } else {
                for (String s : start.offsets) {
                    String[] parts = s.split(":");
                    TopicPartition tp;
                    long offset;
                    try {
                        tp = new TopicPartition(Topics.TEXTS, Integer.parseInt(parts[0].strip()));
                        offset = Long.parseLong(parts[1].strip());
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException(
                                "--from-offsets takes PARTITION:OFFSET pairs, got '" + s + "'");
                    }
                    if (!ends.containsKey(tp)) {
                        throw new IllegalArgumentException("saestream.texts has no partition " + tp.partition());
                    }
                    from.put(
                            tp,
                            new OffsetAndMetadata(Math.max(
                                    earliest.get(tp).offset(),
                                    Math.min(offset, ends.get(tp).offset()))));
                }
            }
            admin.alterConsumerGroupOffsets(group, from).all().get();
            committed = from;
        }
        long pending = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            pending += e.getValue().offset()
                    - (c != null ? c.offset() : earliest.get(e.getKey()).offset());
        }
        return pending;
    }

    static long parseTime(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Instant.now()
                        .minus(Duration.parse(s.toUpperCase(Locale.ROOT).startsWith("P") ? s : "PT" + s))
                        .toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "--from takes an ISO-8601 instant (2026-12-01T00:00:00Z) or a duration" + " (PT6H, P2D), got '"
                                + s + "'");
            }
        }
    }

    /** An application-id-safe form of an SAE id. */
    static String slug(String saeId) {
        return saeId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    }
}
