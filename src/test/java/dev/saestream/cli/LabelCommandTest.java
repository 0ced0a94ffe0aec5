package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.formats.Json;
import dev.saestream.kafka.TestKafka;
import dev.saestream.sae.SparseCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code saestream label --once}: one feature, labelled offline, printed; topics from a config file,
 * Kafka found as every command finds it, and the topics of the spec directory created.
 */
class LabelCommandTest {
    private static final String SAE = "cli-sae";
    private static final String[] WORDS = {
        " the", " city", " of", " a", " meeting", " in", " was", " held", " today", " and"
    };
    private static String run;

    @TempDir
    static Path dir;

    private static Path config;

    @BeforeAll
    static void catalogue() throws Exception {
        // given a feature firing on " Strasbourg" in 60 windows, and 80 background windows without it
        run = TestKafka.unique("labelcli");
        try (Admin admin = TestKafka.admin()) {
            TestKafka.createTopics(
                    admin,
                    List.of(
                            new NewTopic(run + ".features", 2, (short) 1),
                            new NewTopic(run + ".background", 1, (short) 1),
                            new NewTopic(run + ".labels", 2, (short) 1)));
        }
        config = dir.resolve("saestream.yaml");
        Files.writeString(
                config,
                "label:\n  topics:\n    features: " + run + ".features\n    background: " + run
                        + ".background\n    labels: " + run + ".labels\n    dlq: " + run + ".dlq\n");
        Random random = new Random(5);
        List<FeatureWindow> windows = new ArrayList<>();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", TestKafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int d = 0; d < 140; d++) {
                String[] tokens = new String[16];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = WORDS[random.nextInt(WORDS.length)];
                }
                if (d < 60) {
                    int peak = 3 + random.nextInt(10);
                    tokens[peak] = " Strasbourg";
                    float[] acts = new float[tokens.length];
                    acts[peak] = 1 + random.nextFloat() * 4;
                    windows.add(new FeatureWindow("doc" + d, peak, 0, tokens, acts));
                } else {
                    SparseCode[] codes = new SparseCode[tokens.length];
                    Arrays.fill(codes, SparseCode.EMPTY);
                    BackgroundWindow w = new BackgroundWindow(SAE, "doc" + d, 0, tokens, codes, null);
                    p.send(new ProducerRecord<>(run + ".background", w.id(), Json.write(w)));
                }
            }
            List<FeatureWindow> top = windows.stream()
                    .sorted(FeatureWindow.BY_ACTIVATION_DESC)
                    .limit(50)
                    .toList();
            FeatureState state = new FeatureState(
                    SAE,
                    7,
                    3,
                    140 * 16,
                    60,
                    60,
                    60,
                    150,
                    top.get(0).max(),
                    ActivationHistogram.empty(),
                    top,
                    windows,
                    0);
            p.send(new ProducerRecord<>(run + ".features", state.key(), Json.write(state)));
        }
    }

    private static int execute(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void onceLabelsOneFeatureAndPrintsItsExplanationAndScores() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = execute(
                out,
                err,
                "label",
                "--once",
                "--feature",
                SAE + "/7",
                "--write",
                "--config",
                config.toString(),
                "--bootstrap-servers",
                TestKafka.bootstrapServers());
        assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
        String printed = out.toString();
        assertThat(printed).startsWith(SAE + "/7 (version 3)\nexplanation: Fires on \"Strasbourg\" (the peak in ");
        assertThat(printed)
                .contains("explainer: offline " + dev.saestream.label.OfflineExplainer.METHOD + "")
                .containsPattern(
                        "embedding +roc_auc = [01]\\.\\d{3}  95% CI \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]  n = \\d+  parse failures 0")
                .contains("cost: 0 LLM calls, 0 input + 0 output tokens");
        // and --write put it on the labels topic
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        TestKafka.bootstrapServers(),
                        "group.id",
                        run,
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(run + ".labels"));
            int seen = 0;
            for (int i = 0; i < 100 && seen == 0; i++) {
                seen += c.poll(Duration.ofMillis(200)).count();
            }
            assertThat(seen).isEqualTo(1);
        }
    }

    @Test
    void withoutBootstrapServersItConnectsToTheConfiguredBrokerAndCreatesTheSpecTopics() throws Exception {
        // given no --bootstrap-servers, a config whose broker is the running one, and a spec directory of one topic
        String[] hostPort = TestKafka.bootstrapServers().split(",")[0].split(":");
        Path brokerConfig = dir.resolve("broker.yaml");
        Files.writeString(
                brokerConfig,
                Files.readString(config) + "broker:\n  host: " + hostPort[0] + "\n  port: " + hostPort[1] + "\n");
        Path topics = Files.createDirectories(dir.resolve("topics"));
        String specTopic = run + ".spec";
        Files.writeString(
                topics.resolve("spec.yaml"),
                "name: " + specTopic + "\npartitions: 3\nreplicationFactor: 1\n"
                        + "cleanupPolicy: compact\nkey: k\nvalue: v\n");
        // when a feature is labelled once
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = execute(
                out,
                err,
                "label",
                "--once",
                "--feature",
                SAE + "/7",
                "--config",
                brokerConfig.toString(),
                "--topics-dir",
                topics.toString());
        // then it reached the broker, and the spec's topic exists as the spec says
        assertThat(code).as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith(SAE + "/7 (version 3)\nexplanation: Fires on \"Strasbourg\"");
        try (Admin admin = TestKafka.admin()) {
            assertThat(admin.describeTopics(List.of(specTopic))
                            .allTopicNames()
                            .get()
                            .get(specTopic)
                            .partitions())
                    .hasSize(3);
        }
    }

    @Test
    void anUnknownFeatureIsOneClearSentence() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = execute(
                out,
                err,
                "label",
                "--once",
                "--feature",
                SAE + "/8",
                "--config",
                config.toString(),
                "--bootstrap-servers",
                TestKafka.bootstrapServers());
        assertThat(code).isEqualTo(ExitCode.ERROR);
        assertThat(err.toString()).contains("feature " + SAE + "/8 is not on " + run + ".features");
        assertThat(execute(out, err, "label", "--once")).isEqualTo(ExitCode.ERROR);
        assertThat(err.toString()).contains("--once needs --feature SAE/INDEX");
    }
}
