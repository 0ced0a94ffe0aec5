package dev.saestream.cli;

import dev.saestream.config.Home;
import dev.saestream.encode.EncodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream bench restore}: what a crash costs as history grows. The whole pipeline runs in a
 * child JVM over N documents and is killed with SIGKILL once it has catalogued them; a restart
 * restores the catalogue from its changelogs. Then the same over 10 N documents. Under exactly-once
 * a crashed task's local state is wiped, so each restart restores the whole catalogue: the figure
 * that must follow the live state (bounded by compaction) and not the history.
 */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = "Runs N, then FACTOR x N documents, kills the run (SIGKILL) after each and restarts it: records"
                + " restored, restart time and broker disk per topic.")
final class BenchRestoreCommand implements Callable<Integer> {
    private static final Pattern RESTORED = Pattern.compile("catalog state restored: (\\d+) records in (\\d+) ms");
    private static final String CATALOGUED = "catalogue of ";

    @Option(
            names = "--docs",
            defaultValue = "100",
            description = "N, documents of the first round (default ${DEFAULT-VALUE})")
    int docs;

    @Option(
            names = "--factor",
            defaultValue = "10",
            description = "the second round has FACTOR x N documents (default ${DEFAULT-VALUE})")
    int factor;

    @Option(names = "--top-k", description = "catalog.topK of the runs (default: the configured one)")
    Integer topK;

    @Option(names = "--reservoir", description = "catalog.reservoirSize of the runs (default: the configured one)")
    Integer reservoir;

    @Option(
            names = "--work",
            paramLabel = "DIR",
            description = "where the broker and state go (default: a new temporary directory)")
    Path work;

    @Spec
    CommandSpec spec;

    /** One round: the figures of the restart after the kill. */
    record Round(int docs, long restoredRecords, long restoreMillis, double restartSeconds, Map<String, Long> disk) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        Path dir = work != null ? work : PipelineBenchCommand.workDir("restore-");
        Files.createDirectories(dir);
        Path config = dir.resolve("saestream.yaml");
        Files.writeString(
                config,
                "broker:\n  port: " + freePort() + "\n  controllerPort: " + freePort() + "\n  dataDir: "
                        + dir.resolve("kafka") + "\ncatalog:\n  stateDir: " + dir.resolve("streams")
                        + (topK != null ? "\n  topK: " + topK : "")
                        + (reservoir != null ? "\n  reservoirSize: " + reservoir : "")
                        + "\nencode:\n  sae: "
                        + Home.resolve(EncodeConfig.defaults().sae()) + "\nserve:\n  port: " + freePort() + "\n");
        w.printf(
                "saestream bench restore: N = %d and %d documents, each run killed (SIGKILL) once catalogued, then"
                        + " restarted; work in %s%n",
                docs, docs * factor, dir);
        w.flush();
        Round small = round(w, dir, config, docs, "a");
        Round large = round(w, dir, config, docs * factor, "b");
        w.printf(
                "%nrestored after %d documents / after %d: %.2f (records), %.2f (restart time)%n",
                large.docs(),
                small.docs(),
                (double) large.restoredRecords() / small.restoredRecords(),
                large.restartSeconds() / small.restartSeconds());
        w.println("broker disk per topic, MB (after N / after " + factor + " N):");
        for (String topic : union(small.disk(), large.disk())) {
            w.printf(
                    Locale.ROOT,
                    "  %-60s %8.1f %8.1f%n",
                    topic,
                    mb(small.disk().get(topic)),
                    mb(large.disk().get(topic)));
        }
        w.flush();
        return ExitCode.OK;
    }

    private Round round(PrintWriter w, Path dir, Path config, int n, String name) throws Exception {
        w.printf("%d documents: running until catalogued...%n", n);
        w.flush();
        // keeps serving after its summary, so that it is alive to be killed with the catalogue complete
        Process run = start(dir, config, n, name + "-run", false);
        awaitLine(run, dir.resolve(name + "-run.out"), CATALOGUED);
        run.destroyForcibly().waitFor();
        w.printf("  killed (SIGKILL) after: %s%n", lastLine(dir.resolve(name + "-run.out"), CATALOGUED));
        long start = System.nanoTime();
        Process restart = start(dir, config, n, name + "-restart", true);
        if (!restart.waitFor(60, TimeUnit.MINUTES) || restart.exitValue() != 0) {
            throw new IllegalStateException("the restart failed; see " + dir.resolve(name + "-restart.out"));
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long records = 0;
        long millis = 0;
        for (Matcher m = RESTORED.matcher(Files.readString(dir.resolve(name + "-restart.log"))); m.find(); ) {
            records += Long.parseLong(m.group(1));
            millis += Long.parseLong(m.group(2));
        }
        Map<String, Long> disk = diskPerTopic(dir.resolve("kafka"));
        w.printf(
                Locale.ROOT,
                "  restart: %,d records restored in %.1f s; whole restart (JVM, broker, model, restore, skip)"
                        + " %.1f s; broker disk %.1f MB%n",
                records,
                millis / 1000.0,
                secs,
                mb(disk.values().stream().mapToLong(Long::longValue).sum()));
        w.flush();
        return new Round(n, records, millis, secs, disk);
    }

    private static Process start(Path dir, Path config, int n, String name, boolean exit) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--config",
                config.toString(),
                "--docs",
                String.valueOf(n),
                "--no-label",
                "--no-progress",
                "--log-file",
                dir.resolve(name + ".log").toString()));
        if (exit) {
            cmd.add("--no-serve");
        }
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }

    private static void awaitLine(Process p, Path out, String prefix) throws IOException, InterruptedException {
        while (lastLine(out, prefix) == null) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the run ended early (exit " + p.exitValue() + "); see " + out);
            }
            Thread.sleep(500);
        }
    }

    private static String lastLine(Path out, String prefix) throws IOException {
        if (!Files.exists(out)) {
            return null;
        }
        String found = null;
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith(prefix)) {
                found = line;
            }
        }
        return found;
    }

    /** Bytes on disk per topic, from the broker's log directory (partition directories are topic-N). */
    static Map<String, Long> diskPerTopic(Path logDir) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> partitions = Files.list(logDir)) {
            for (Path p : partitions.filter(Files::isDirectory).toList()) {
                String name = p.getFileName().toString();
                int dash = name.lastIndexOf('-');
                if (dash <= 0 || !name.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(p)) {
                    long bytes = files.filter(Files::isRegularFile)
                            .mapToLong(f -> f.toFile().length())
                            .sum();
                    sizes.merge(name.substring(0, dash), bytes, Long::sum);
                }
            }
        }
        return sizes;
    }

    private static List<String> union(Map<String, Long> a, Map<String, Long> b) {
        TreeMap<String, Long> all = new TreeMap<>(a);
        all.putAll(b);
        return all.keySet().stream().filter(t -> !t.startsWith("__")).toList();
    }

    private static double mb(Long bytes) {
        return bytes == null ? 0 : bytes / 1e6;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
