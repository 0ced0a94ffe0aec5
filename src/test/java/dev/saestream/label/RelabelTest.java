package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.cli.Main;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TestKafka;
import dev.saestream.kafka.TopicFollower;
import dev.saestream.label.ScriptedLlmServer.Dialect;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code saestream label --reprocess}: a catalogue labelled offline is relabelled by an LLM (the
 * real OpenAI client against the scripted server, which counts o200k tokens and reports them as
 * usage). The dry run's estimate must be within 10% of what the relabel then spends.
 */
class RelabelTest {
    private static final String SAE = "relabel-sae";
    private static final int DOCS = 200;
    private static final Pattern CALLS = Pattern.compile("LLM calls +([\\d,]+)");
    private static final Pattern TOKENS = Pattern.compile("tokens +([\\d,]+) in .*?/ ([\\d,]+) out");
    private static final Pattern FEATURES = Pattern.compile("features +([\\d,]+) to label \\(([\\d,]+) already");

    private static List<SyntheticCatalog.Doc> docs;

    @TempDir
    Path dir;

    @Test
    void dryRunEstimateIsWithinTenPercentOfWhatTheRelabelSpendsAndOldLabelsStayInTheHistory() throws Exception {
        // given a catalogue on fresh topics, every eligible feature labelled by the offline explainer
        Catalogue catalogue = catalogue();
        LabelConfig.TopicNames topics = catalogue.offline().topics();
        LabelConfig offline = catalogue.offline();
        List<FeatureState> eligible = catalogue.eligible();
        Path config = dir.resolve("saestream.yaml");
        // no call limits: the scripted server answers at once
        Files.writeString(
                config,
                "label:\n  limits:\n    requestsPerMinute: 0\n    tokensPerHour: 0\n  topics:\n"
                        + "    features: " + topics.features() + "\n    background: " + topics.background() + "\n"
                        + "    labels: " + topics.labels() + "\n    dlq: " + topics.dlq() + "\n");

        try (ScriptedLlmServer server =
                new ScriptedLlmServer(new Oracle(java.util.Set.of("parliament"), "the word \"parliament\"")::answer)) {
            String[] relabel = {
                "label",
                "--reprocess",
                "--sae",
                SAE,
                "--explainer",
                "llm",
                "--scorers",
                "detection,fuzzing,simulation",
                "--provider",
                "openai",
                "--base-url",
                server.baseUrl(Dialect.OPENAI),
                "--model",
                "scripted",
                "--input-price",
                "2.5",
                "--output-price",
                "10",
                "--no-progress",
                "--log-file",
                dir.resolve("relabel.log").toString(),
                "--config",
                config.toString(),
                "--bootstrap-servers",
                TestKafka.bootstrapServers()
            };

            // when the dry run prints its estimate
            String dry = execute(
                    Stream.concat(Stream.of(relabel), Stream.of("--dry-run")).toArray(String[]::new));
            // then nothing was sent, and every eligible feature is to be labelled
            assertThat(server.requests()).isEmpty();
            assertThat(number(FEATURES, dry, 1)).isEqualTo(eligible.size());
            long calls = number(CALLS, dry, 1);
            long in = number(TOKENS, dry, 1);
            long out = number(TOKENS, dry, 2);
            assertThat(dry)
                    .containsPattern("dollars +\\$\\d+\\.\\d\\d at \\$2\\.5 in / \\$10 out per million tokens")
                    .contains("time        unknown");

            // when the relabel runs
            String done = execute(relabel);
            System.out.println(dry + done);
            // then it spent what the server counted, within 10% of the estimate
            List<ScriptedLlmServer.Usage> usage = server.reported();
            long spentIn =
                    usage.stream().mapToLong(ScriptedLlmServer.Usage::input).sum();
            long spentOut =
                    usage.stream().mapToLong(ScriptedLlmServer.Usage::output).sum();
            assertThat(usage).hasSize((int) calls);
            assertThat((double) in)
                    .as("input tokens: estimated %d, spent %d", in, spentIn)
                    .isCloseTo(spentIn, org.assertj.core.data.Percentage.withPercentage(10));
            assertThat((double) out)
                    .as("output tokens: estimated %d, spent %d", out, spentOut)
                    .isCloseTo(spentOut, org.assertj.core.data.Percentage.withPercentage(10));
            assertThat(done)
                    .contains(String.format("relabelled: %d labelled, 0 failed", eligible.size()))
                    .contains(String.format("tokens %,d in / %,d out", spentIn, spentOut));

            // and every eligible feature's latest label is the LLM's, with the offline one in its history
            Map<String, Label> latest = latestLabels(offline);
            assertThat(latest.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            eligible.stream().map(FeatureState::key).toList());
            for (Label l : latest.values()) {
                assertThat(l.explainer()).isEqualTo(new Label.ExplainerInfo("llm", "openai", "scripted"));
                assertThat(l.explanation()).isEqualTo("the word \"parliament\"");
                assertThat(l.history()).hasSize(1);
                assertThat(l.history().get(0).explainer().kind()).isEqualTo("offline");
            }

            // and run again, it finds everything done and pays for nothing
            String again = execute(relabel);
            assertThat(number(FEATURES, again, 1)).isZero();
            assertThat(number(FEATURES, again, 2)).isEqualTo(eligible.size());
            assertThat(server.reported()).hasSize((int) calls);
        }
    }

    @Test
    void aRelabelStoppedHalfWayWritesWhatWasInFlightAndTheNextRunPaysOnlyForTheRest() throws Exception {
        // given a catalogue, and an LLM that asks the relabel to stop (as Ctrl-C does) at its fourth explanation
        Catalogue catalogue = catalogue();
        AtomicReference<Relabel> current = new AtomicReference<>();
        AtomicInteger explained = new AtomicInteger();
        Oracle oracle = new Oracle(java.util.Set.of("parliament"), "the word \"parliament\"");
        try (ScriptedLlmServer server = new ScriptedLlmServer(r -> {
            if (r.system().equals(Prompts.EXPLAIN_SYSTEM) && explained.incrementAndGet() == 4) {
                current.get().stop();
            }
            return oracle.answer(r);
        })) {
            LabelConfig llm = LabelConfig.DEFAULTS
                    .withTopics(catalogue.offline().topics())
                    .withLlmExplainer(LabelConfig.Provider.OPENAI, server.baseUrl(Dialect.OPENAI), "scripted")
                    .withScorers(List.of(LabelConfig.ScorerKind.DETECTION))
                    .withLimits(LabelConfig.DEFAULTS.limits().withConcurrency(2).withRates(0, 0));
            Relabel first = relabel(llm);
            long planned = first.estimate().calls();

            // when it runs and is stopped
            current.set(first);
            first.run();

            // then the features started were finished and written (one per worker at most past the fourth), no other
            Relabel.Progress p = first.progress();
            assertThat(p.finished()).isBetween(4L, 4L + llm.limits().concurrency() - 1);
            assertThat(p.failed() + p.unavailable()).isZero();
            long written = latestLabels(llm).values().stream()
                    .filter(l -> l.explainer().kind().equals("llm"))
                    .count();
            assertThat(written).isEqualTo(p.labelled());

            // when it is started again
            Relabel second = relabel(llm);
            assertThat(second.estimate().features())
                    .isEqualTo(catalogue.eligible().size() - (int) p.finished());
            assertThat(second.estimate().alreadyDone()).isEqualTo((int) p.finished());
            second.run();

            // then every feature has the LLM's label, and no call was paid for twice
            assertThat(latestLabels(llm).values())
                    .hasSize(catalogue.eligible().size())
                    .allMatch(l -> l.explainer().kind().equals("llm"));
            assertThat(server.reported()).hasSize((int) planned);
        }
    }

    private static Relabel relabel(LabelConfig config) throws Exception {
        BackgroundIndex background = new BackgroundIndex();
        return Relabel.read(config, kafka(), background, Labeller.create(config, background, Map.of()), SAE);
    }

    /** Topics of one test run, and the features with enough windows to be labelled. */
    private record Catalogue(LabelConfig offline, List<FeatureState> eligible) {}

    /** A catalogue on fresh topics, every eligible feature labelled by the offline explainer (the history to keep). */
    private static Catalogue catalogue() throws Exception {
        String run = TestKafka.unique("relabel");
        LabelConfig.TopicNames topics = LabelConfig.DEFAULTS.topics();
        // small offline labels: they are only the history the relabel must keep
        LabelConfig offline = LabelConfig.DEFAULTS
                .withTopics(new LabelConfig.TopicNames(
                        topics.groupId(), run + ".features", run + ".background", run + ".labels", run + ".dlq"))
                .withSampling(LabelConfig.DEFAULTS.sampling().withScoreWindows(10, 10))
                .withScoring(LabelConfig.DEFAULTS.scoring().withNullBaseline(false));
        try (Admin admin = TestKafka.admin()) {
            TestKafka.createTopics(
                    admin,
                    List.of(
                            new NewTopic(offline.topics().features(), 2, (short) 1),
                            new NewTopic(offline.topics().background(), 1, (short) 1),
                            new NewTopic(offline.topics().labels(), 2, (short) 1)));
        }
        SyntheticCatalog catalog = new SyntheticCatalog(SAE, docs(), SyntheticCatalog.standardSpecs());
        BackgroundIndex background = new BackgroundIndex();
        Labeller offlineLabeller = Labeller.create(offline, background, Map.of());
        List<FeatureState> states =
                catalog.specs.stream().map(s -> catalog.state(s.index(), 4)).toList();
        List<FeatureState> eligible = states.stream()
                .filter(s -> s.windows() >= offline.sampling().minWindows())
                .toList();
        assertThat(eligible).hasSizeBetween(10, states.size() - 1);
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(kafka(), new StringSerializer(), new ByteArraySerializer())) {
            for (BackgroundWindow w : catalog.background(300, 2)) {
                background.put(w.id(), w);
                p.send(new ProducerRecord<>(offline.topics().background(), w.id(), Json.write(w)));
            }
            for (FeatureState s : states) {
                p.send(new ProducerRecord<>(offline.topics().features(), s.key(), Json.write(s)));
            }
            // records a relabel must pass over: a state that does not read, a key that is not saeId/index
            p.send(new ProducerRecord<>(
                    offline.topics().features(), SAE + "/99", "{not json".getBytes(StandardCharsets.UTF_8)));
            p.send(new ProducerRecord<>(
                    offline.topics().features(), "no-index", "{}".getBytes(StandardCharsets.UTF_8)));
            for (FeatureState s : eligible) {
                p.send(new ProducerRecord<>(
                        offline.topics().labels(), s.key(), Json.write(offlineLabeller.label(s, null))));
            }
        }
        return new Catalogue(offline, eligible);
    }

    private static synchronized List<SyntheticCatalog.Doc> docs() {
        if (docs == null) {
            docs = SyntheticCatalog.englishDocs(DOCS);
        }
        return docs;
    }

    /** The latest label of every feature on the labels topic, by key. */
    private static Map<String, Label> latestLabels(LabelConfig config) {
        Map<String, Label> latest = new HashMap<>();
        TopicFollower.readToEnd(
                config.topics().labels(),
                kafka(),
                r -> latest.put(r.key(), Json.read(r.value(), Label.class)),
                Duration.ofSeconds(60));
        return latest;
    }

    private static String execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertThat(code).as(out + "\n" + err).isZero();
        return out.toString();
    }

    private static long number(Pattern p, String text, int group) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as("%s in %s", p, text).isTrue();
        return Long.parseLong(m.group(group).replace(",", ""));
    }

    private static Map<String, Object> kafka() {
        return new HashMap<>(Map.of("bootstrap.servers", TestKafka.bootstrapServers()));
    }
}
