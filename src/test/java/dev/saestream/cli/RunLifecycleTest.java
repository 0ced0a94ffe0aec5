package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} as a user meets it, in a child JVM started outside the project directory: stopped by
 * Ctrl-C mid-stream; started again, serving on every interface, which it warns about, and still
 * serving after its summary until Ctrl-C; then re-run on the same input with its local state gone
 * and {@code --exit-when-done}, which exits after its summary.
 */
class RunLifecycleTest {
    private static final int DOCS = 30;
    private static final Pattern RESTORED = Pattern.compile("catalog state restored: (\\d+) records");
    private static final HttpClient http = HttpClient.newHttpClient();
    /** A log line on the terminal at WARN or ERROR, as the console appender's pattern prints it. */
    private static final Pattern LOUD =
            Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR)", Pattern.MULTILINE);

    @TempDir
    Path work;

    private ChildJvms children;

    @BeforeEach
    void children() {
        children = new ChildJvms(work);
    }

    @AfterEach
    void stopChildren() throws InterruptedException {
        children.close();
    }

    @Test
    void ctrlCStopsCleanlyTheNextStartRestoresOnlyTheTailAndAReRunSkipsWhatIsCatalogued() throws Exception {
        // given the whole pipeline configured into a fresh directory, on free ports
        int port = ChildJvms.freePort();
        Path config = work.resolve("saestream.yaml");
        Files.writeString(
                config,
                "broker:\n  port: " + port + "\n  controllerPort: " + ChildJvms.freePort() + "\n  dataDir: "
                        + work.resolve("kafka") + "\ncatalog:\n  stateDir: " + work.resolve("streams")
                        + "\n  checkpointMs: 1000\n"
                        + "encode:\n  sae: "
                        + Path.of("saes/all-minilm-l6-v2-layer3").toAbsolutePath() + "\n");

        // when a run is stopped by Ctrl-C once the encode stage has committed part of the input
        Process first = start(config, "first", "--no-serve");
        awaitEncodedAtLeast("127.0.0.1:" + port, 5, first);
        ChildJvms.interrupt(first);
        // then it stops within 30 s, with exit status 130 and a summary of what is left
        assertThat(first.waitFor(30, TimeUnit.SECONDS))
                .as("stopped within 30 s")
                .isTrue();
        String firstOut = children.output("first");
        assertThat(first.exitValue()).as(firstOut).isEqualTo(ExitCode.SIGINT);
        assertThat(firstOut).contains("stopped: encoded").contains("left to encode");

        // when it is started again, bound to every interface, it finishes the input from the state it checkpointed
        // (labelling, so that its stop says what the labeller did while serving)
        Process second = start(config, "second", true, "--host", "0.0.0.0", "--port", "0");
        String secondOut = awaitOutput(second, "second", "serving the catalogue at");
        // and it printed the address before encoding, warned on the terminal, and still serves after its summary
        Matcher open = ChildJvms.OPEN.matcher(secondOut);
        assertThat(open.find()).as(secondOut).isTrue();
        assertThat(open.group(1)).isEqualTo("0.0.0.0");
        assertThat(secondOut.indexOf("open http://")).as(secondOut).isLessThan(secondOut.indexOf("encoded "));
        assertThat(secondOut).contains("warning: serving on 0.0.0.0:" + open.group(2) + ", " + ChildJvms.EXPOSED);
        String base = "http://127.0.0.1:" + open.group(2);
        Thread.sleep(2_000);
        assertThat(second.isAlive()).as(secondOut).isTrue();
        JsonNode saes = Json.MAPPER.readTree(get(base + "/api/saes").body());
        assertThat(saes.get("items")).hasSize(1);
        assertThat(saes.get("items").get(0).get("documents").asLong()).isEqualTo(DOCS);
        // inside run, /metrics has the stages' Kafka Streams meters beside the server's own Kafka clients'
        assertThat(get(base + "/metrics").body())
                .containsPattern("(?m)^kafka_stream_\\w+\\{")
                .containsPattern("(?m)^kafka_consumer_fetch_manager_records_consumed_total\\{")
                .containsPattern("(?m)^saestream_tokens_encoded_total [1-9]");
        // when Ctrl-C comes after its summary, it stops serving and exits with the run's own status
        ChildJvms.interrupt(second);
        assertThat(second.waitFor(60, TimeUnit.SECONDS))
                .as("stopped within 60 s")
                .isTrue();
        secondOut = children.output("second");
        assertThat(second.exitValue()).as(secondOut).isZero();
        assertThat(secondOut).containsPattern("stopped serving; labels: [\\d,]+ written, 0 failed, [\\d,]+ pending;");
        String secondLog = Files.readString(work.resolve("second.log"));
        assertThat(secondLog).doesNotContain("TaskCorruptedException").doesNotContain("are corrupted");

        // and a re-run with its local state deleted restores the whole catalogue, produces nothing, and with
        // --exit-when-done, on loopback, exits after its summary by itself, without a warning
        deleteTree(work.resolve("streams"));
        Process third = start(config, "third", "--port", "0", "--exit-when-done");
        assertThat(third.waitFor(30, TimeUnit.MINUTES)).isTrue();
        String thirdOut = children.output("third");
        assertThat(third.exitValue()).as(thirdOut).isZero();
        assertThat(thirdOut)
                .contains("skipped " + DOCS + " already catalogued")
                .contains("open http://127.0.0.1:")
                .doesNotContain("serving the catalogue at")
                .doesNotContain(ChildJvms.EXPOSED);

        long tail = restored(secondLog);
        long full = restored(Files.readString(work.resolve("third.log")));
        assertThat(full).as("a full restore").isPositive();
        assertThat(tail)
                .as("restored after a clean stop, of %d for a full restore", full)
                .isLessThan(full / 100);
        // and no run printed a warning or an error on the terminal
        for (String out : List.of(firstOut, secondOut, thirdOut)) {
            assertThat(LOUD.matcher(out).find()).as(out).isFalse();
            assertThat(out).doesNotContain("Exception");
        }
    }

    private Process start(Path config, String name, String... serving) throws IOException {
        return start(config, name, false, serving);
    }

    private Process start(Path config, String name, boolean label, String... serving) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--config",
                config.toString(),
                "--docs",
                String.valueOf(DOCS),
                "--no-progress",
                "--log-file",
                work.resolve(name + ".log").toString()));
        if (!label) {
            args.add("--no-label");
        }
        args.addAll(List.of(serving));
        return children.start(name, Map.of(), args);
    }

    /** The child's output once it contains {@code text}; fails if the child ends first. */
    private String awaitOutput(Process child, String name, String text) throws Exception {
        return children.awaitOutput(child, name, out -> out.contains(text), Duration.ofMinutes(30));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the encode stage has committed at least {@code n} input records (the child still running). */
    private static void awaitEncodedAtLeast(String bootstrap, long n, Process child) throws Exception {
        while (child.isAlive()) {
            try (Admin admin = Admin.create(Map.of(
                    "bootstrap.servers", bootstrap, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
                while (child.isAlive()) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("saestream-encode")
                            .partitionsToOffsetAndMetadata()
                            .get();
                    long committed = offsets.entrySet().stream()
                            .filter(e -> e.getKey().topic().equals(Topics.TEXTS) && e.getValue() != null)
                            .mapToLong(e -> e.getValue().offset())
                            .sum();
                    if (committed >= n) {
                        return;
                    }
                    Thread.sleep(500);
                }
            } catch (Exception brokerNotUpYet) {
                Thread.sleep(1000);
            }
        }
        throw new AssertionError("the run ended before encoding " + n + " documents");
    }

    private static long restored(String log) {
        long sum = 0;
        for (Matcher m = RESTORED.matcher(log); m.find(); ) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
