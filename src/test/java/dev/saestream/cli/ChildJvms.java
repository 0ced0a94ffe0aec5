package dev.saestream.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * saestream commands in child JVMs, as a user runs them: the tests' class path, a working
 * directory with no topics/ and no config/ (so the jar's copies are used), and what the terminal
 * shows in {@code <name>.out}. Closing kills whichever child still runs.
 */
final class ChildJvms implements AutoCloseable {
    /** The line a serving command prints with its address: host in group 1, port in group 2. */
    static final java.util.regex.Pattern OPEN = java.util.regex.Pattern.compile("(?m)^open http://([^/\\s]+):(\\d+)/");
    /** What the warning about an address other than loopback says. */
    static final String EXPOSED = "which is not a loopback address";

    private final Path work;
    private final List<Process> children = new ArrayList<>();

    ChildJvms(Path work) {
        this.work = work;
    }

    /** {@code saestream args…} as {@code name}, with no SAESTREAM_ variable but those of {@code env}. */
    Process start(String name, Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                // as the test JVMs (see the pom): C2's compilations do not pay back in a run of minutes
                "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.saestream.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".out").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SAESTREAM_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /** What {@code name} has printed so far. */
    String output(String name) throws IOException {
        return Files.readString(work.resolve(name + ".out"), StandardCharsets.UTF_8);
    }

    /** The child's output once {@code done} holds of it; fails if the child ends or the time runs out first. */
    String awaitOutput(Process child, String name, Predicate<String> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = output(name);
            if (done.test(out)) {
                return out;
            }
            if (!child.isAlive()) {
                throw new AssertionError(name + " ended with " + child.exitValue() + ":\n" + output(name));
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not get there within " + timeout + ":\n" + output(name));
    }

    /** Sends the child SIGINT, as Ctrl-C on its terminal does. */
    static void interrupt(Process child) throws IOException, InterruptedException {
        if (ignoresCtrlC(child.pid())) {
            // a shell without job control starts `cmd &` with SIGINT ignored; the JVM then leaves it ignored
            throw new AssertionError("SIGINT is ignored by the child JVM, as by the test run that started it (in the"
                    + " background, with & or nohup?): Ctrl-C cannot be tested so; run the tests in the foreground");
        }
        new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).start().waitFor();
    }

    /** True when Linux says {@code pid} ignores SIGINT (bit 1 of SigIgn in its /proc status). */
    static boolean ignoresCtrlC(long pid) throws IOException {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
