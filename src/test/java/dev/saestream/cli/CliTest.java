package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.EmbeddedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    static EmbeddedBroker broker;

    @TempDir
    static Path data;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(
                new BrokerConfig("127.0.0.1", 0, 0, data.resolve("kafka").toString(), Map.of()));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Runs a command line, capturing stdout; returns exit code and output. */
    record Run(int code, String out) {}

    static Run run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void everyCommandHasHelp() {
        List<String> missing = new ArrayList<>();
        walk(Main.commandLine(), missing);
        assertThat(missing).isEmpty();
    }

    private static void walk(CommandLine cl, List<String> missing) {
        if (!cl.getCommandSpec().optionsMap().containsKey("--help")
                && !cl.getCommandName().equals("help")) {
            missing.add(cl.getCommandSpec().qualifiedName());
        }
        cl.getSubcommands().values().forEach(sub -> walk(sub, missing));
    }

    @Test
    void produceDeadLettersBadInputAndSaysSoInItsExitStatus(@TempDir Path in) throws Exception {
        String bs = broker.bootstrapServers();
        assertThat(run("topics", "create", "--bootstrap-servers", bs).code()).isZero();
        Run again = run("topics", "create", "--bootstrap-servers", bs);
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("saestream.texts").contains("exists, matches its spec");

        Files.writeString(in.resolve("a.txt"), "good one\n\nanother good one\n");
        Run produce =
                run("produce", "--bootstrap-servers", bs, "--input", in.toString(), "--per-line", "--no-progress");
        assertThat(produce.code()).isEqualTo(ExitCode.DEAD_LETTERED);
        assertThat(produce.out()).contains("read 3, produced 2, dead-lettered 1 {empty-text=1}");

        Files.delete(in.resolve("a.txt"));
        Files.writeString(in.resolve("b.jsonl"), "{\"id\": \"x\", \"text\": \"fine\"}\n");
        Run clean = run("produce", "--bootstrap-servers", bs, "--input", in.toString(), "--no-progress");
        assertThat(clean.code()).isEqualTo(ExitCode.OK);

        Run list = run("topics", "list", "--bootstrap-servers", bs);
        assertThat(list.out()).containsPattern("saestream\\.texts\\s+4\\s+1\\s+delete\\s+3\\b");
        assertThat(list.out()).containsPattern("saestream\\.dlq\\s+1\\s+1\\s+delete\\s+1\\b");
    }

    @Test
    void aMissingBrokerIsAClearErrorNotAStackTrace() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute("topics", "list", "--bootstrap-servers", "127.0.0.1:1");
            assertThat(code).isEqualTo(ExitCode.ERROR);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no Kafka answers at 127.0.0.1:1")
                .doesNotContain("\tat ");
    }

    @Test
    void unknownCorpusIsAClearError() {
        CommandLine cl = Main.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("produce", "--bootstrap-servers", broker.bootstrapServers(), "--corpus", "wikipedia");
        assertThat(code).isEqualTo(ExitCode.ERROR);
        assertThat(err.toString()).contains("unknown corpus 'wikipedia'");
    }

    @Test
    void topicsAreCreatedFromTheJarsSpecsWhenStartedOutsideTheProject(@TempDir Path elsewhere) throws Exception {
        // given a saestream home with no topics/ and no config/ (java -jar started in another directory)
        String bs = broker.bootstrapServers();
        String saved = System.getProperty(dev.saestream.config.Home.PROPERTY);
        System.setProperty(dev.saestream.config.Home.PROPERTY, elsewhere.toString());
        try {
            // when the topics are created and listed
            Run created = run("topics", "create", "--bootstrap-servers", bs);
            Run listed = run("topics", "list", "--bootstrap-servers", bs);
            // then every topic of the project's topics/ exists, as the bundled copy of those specs says
            assertThat(created.code()).isZero();
            for (var spec : dev.saestream.kafka.TopicSpecs.load(Path.of("topics"))) {
                assertThat(listed.out()).contains(spec.name());
            }
            assertThat(dev.saestream.kafka.TopicSpecs.loadBundled())
                    .isEqualTo(dev.saestream.kafka.TopicSpecs.load(Path.of("topics")));
            // and a directory given by flag still wins, with its own error when it is not there
            assertThat(run(
                                    "topics",
                                    "create",
                                    "--bootstrap-servers",
                                    bs,
                                    "--topics-dir",
                                    elsewhere.resolve("nope").toString())
                            .code())
                    .isEqualTo(ExitCode.ERROR);
        } finally {
            if (saved == null) {
                System.clearProperty(dev.saestream.config.Home.PROPERTY);
            } else {
                System.setProperty(dev.saestream.config.Home.PROPERTY, saved);
            }
        }
    }
}
