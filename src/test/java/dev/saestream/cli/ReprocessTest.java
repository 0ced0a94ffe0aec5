package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.catalog.FeatureState;
import dev.saestream.config.Settings;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.formats.Json;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.EmbeddedBroker;
import dev.saestream.kafka.Topics;
import dev.saestream.model.ModelConfig;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.TextProducer;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.TestSaes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Reprocessing on a real broker with the real transformer: a live catalogue is built once, then
 * {@code saestream reprocess} replays the same texts under new SAE ids and must give the same
 * catalogue, leave the live one alone, and survive a kill -9.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReprocessTest {
    private static final String LIVE = "test/layer3/topk-256";
    private static final int DOCUMENTS = 24;

    @TempDir
    static Path dir;

    private EmbeddedBroker broker;
    private Path yaml;
    private Map<Integer, FeatureState> live;

    @BeforeAll
    void buildTheLiveCatalogue() throws Exception {
        Path sae = dir.resolve("sae");
        TestSaes.random(Architecture.TOPK, 384, 256, 8, 7).save(sae);
        TestSaes.random(Architecture.TOPK, 384, 256, 8, 8).save(dir.resolve("other-sae"));
        broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, dir.resolve("kafka").toString(), Map.of()));
        yaml = dir.resolve("saestream.yaml");
        Files.writeString(
                yaml,
                "kafka:\n  bootstrapServers: " + broker.bootstrapServers() + "\n"
                        + "encode:\n  applicationId: live-encode\n  sae: " + sae + "\n  commitIntervalMs: 500\n"
                        + "catalog:\n  applicationId: live-catalog\n  topK: 5\n  before: 3\n  after: 4\n  reservoirSize: 8\n"
                        + "  backgroundSize: 20\n  backgroundLength: 16\n  checkpointMs: 500\n  commitIntervalMs: 500\n"
                        + "  emitIntervalMs: 1000\n  stateDir: " + dir.resolve("state") + "\n");
        Settings settings = Settings.load(yaml);
        EncodeConfig ec = settings.section(EncodeConfig.SECTION, EncodeConfig.defaults());
        CatalogConfig cc = settings.section(CatalogConfig.SECTION, CatalogConfig.defaults());
        ClusterConfig cluster = new ClusterConfig(broker.bootstrapServers(), "topics", 0, Map.of());
        try (KafkaSession session = KafkaSession.connect(cluster, BrokerConfig.defaults());
                Admin admin = session.admin()) {
            session.createTopics();
            try (Pipeline pipeline = Pipeline.start(session, ModelConfig.defaults(), ec, cc, 1)) {
                try (TextProducer p =
                        new TextProducer(TextProducer.newProducer(session.clientConfig(), ProduceConfig.defaults()))) {
                    p.produce(TextSources.europarl(DOCUMENTS, SourceOptions.defaults()), null);
                }
                pipeline.awaitCaughtUp(admin, Duration.ofMinutes(5), () -> {});
                pipeline.awaitSettled(Duration.ofMinutes(2), () -> {});
                assertThat(pipeline.encoder().saeId()).isEqualTo(LIVE);
            }
        }
        // what was emitted becomes readable as its transaction commits: read until two reads agree
        live = latest(LIVE);
        for (Map<Integer, FeatureState> again = latest(LIVE); !again.equals(live); again = latest(LIVE)) {
            live = again;
        }
        assertThat(live).isNotEmpty();
        live = renamed(live);
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theSameSaeUnderANewIdReproducesTheLiveCatalogueExactly() {
        // when
        String out = reprocess("--sae-id", "copy/layer3/topk-256");
        // then: every feature's statistics, histogram, top windows and reservoir, under the new id
        assertThat(out).contains("reprocessed " + DOCUMENTS + " documents");
        assertThat(awaitRenamed("copy/layer3/topk-256")).isEqualTo(live);
    }

    @Test
    void anotherSaeGetsItsOwnCatalogueAndLeavesTheLiveOneUntouched() {
        // when
        reprocess("--sae", dir.resolve("other-sae").toString(), "--sae-id", "other/layer3/topk-256");
        // then
        Map<Integer, FeatureState> other = latest("other/layer3/topk-256");
        assertThat(other).isNotEmpty();
        assertThat(renamed(other)).isNotEqualTo(live);
        assertThat(renamed(latest(LIVE))).isEqualTo(live);
    }

    @Test
    void aRebuildFromTheCodesWithASmallerTopKKeepsEverythingButTheCutTopWindows() {
        // when: the live catalogue rebuilt from saestream.codes with top-k 3 instead of 5, no transformer
        String out = reprocess("--from-codes", LIVE, "--sae-id", "rebuilt/top3", "--top-k", "3");
        // then: exact top-k, so each feature's top 3 are the first 3 of its top 5; the rest is the same
        assertThat(out)
                .contains("the transformer does not run")
                .contains("rebuilt rebuilt/top3 from " + DOCUMENTS + " documents");
        Map<Integer, FeatureState> expected = new HashMap<>();
        live.forEach((i, s) -> expected.put(
                i,
                new FeatureState(
                        s.saeId(),
                        i,
                        s.version(),
                        0,
                        s.activations(),
                        s.documents(),
                        s.windows(),
                        s.sum(),
                        s.max(),
                        s.histogram(),
                        s.top().subList(0, Math.min(3, s.top().size())),
                        s.reservoir(),
                        s.updatedMs())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<Integer, FeatureState> got = renamed(latest("rebuilt/top3"));
        while (!got.equals(expected) && System.nanoTime() < deadline) {
            got = renamed(latest("rebuilt/top3"));
        }
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void aReprocessKilledMidwayResumesAndEndsWithTheSameCatalogue() throws Exception {
        // given a reprocess in a child JVM, killed once it has encoded part of the texts
        String id = "crash/layer3/topk-256";
        String group = "saestream-encode-" + ReprocessCommand.slug(id);
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.saestream.cli.Main",
                        "reprocess",
                        "--config",
                        yaml.toString(),
                        "--sae-id",
                        id,
                        "--no-progress")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        long atKill;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (committed(admin, group) < 3 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(20);
            }
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            atKill = committed(admin, group);
        } finally {
            child.destroyForcibly();
        }
        assertThat(atKill).as("killed mid-way; see child.log").isBetween(3L, (long) DOCUMENTS - 1);
        // when it is started again
        String out = reprocess("--sae-id", id);
        // then it resumed, and the catalogue is the one an uninterrupted run gives
        assertThat(out).contains("resuming where the last run of this reprocess stopped");
        assertThat(awaitRenamed(id)).isEqualTo(live);
    }

    private String reprocess(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "reprocess";
        all[1] = "--config";
        all[2] = yaml.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        String[] withFlags = java.util.Arrays.copyOf(all, all.length + 1);
        withFlags[all.length] = "--no-progress";
        assertThat(cl.execute(withFlags))
                .as("reprocess %s: %s", String.join(" ", args), out)
                .isZero();
        return out.toString();
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(Topics.TEXTS))
                .mapToLong(e -> e.getValue().offset())
                .sum();
    }

    /** The latest state of each of {@code saeId}'s features on saestream.features. */
    private Map<Integer, FeatureState> latest(String saeId) {
        Map<Integer, FeatureState> out = new HashMap<>();
        for (byte[] v : PipelineTest.readAll(broker.bootstrapServers(), Topics.FEATURES)) {
            FeatureState s = Json.read(v, FeatureState.class);
            if (s.saeId().equals(saeId)) {
                out.merge(s.index(), s, (a, b) -> a.version() >= b.version() ? a : b);
            }
        }
        return out;
    }

    /** {@code saeId}'s catalogue under the live id, read again until it equals the live one or 30 s pass. */
    private Map<Integer, FeatureState> awaitRenamed(String saeId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<Integer, FeatureState> got = renamed(latest(saeId));
        while (!got.equals(live) && System.nanoTime() < deadline) {
            got = renamed(latest(saeId));
        }
        return got;
    }

    /**
     * The states under the live id, without {@code tokensSeen}: a state carries the catalogue's
     * token count when it was last emitted, and a feature that stops changing is not emitted again.
     */
    private static Map<Integer, FeatureState> renamed(Map<Integer, FeatureState> states) {
        Map<Integer, FeatureState> out = new HashMap<>();
        states.forEach((i, s) -> out.put(
                i,
                new FeatureState(
                        LIVE,
                        s.index(),
                        s.version(),
                        0,
                        s.activations(),
                        s.documents(),
                        s.windows(),
                        s.sum(),
                        s.max(),
                        s.histogram(),
                        s.top(),
                        s.reservoir(),
                        s.updatedMs())));
        return out;
    }
}
