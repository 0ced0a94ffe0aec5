package dev.saestream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The JVM's CPU time by kind of thread, read from Linux's {@code /proc/self/task}: the only place
 * that also shows the threads Java does not see (the JIT compilers, the garbage collector,
 * RocksDB's). A bench subtracts two snapshots to say where its whole process's CPU went.
 */
record ThreadGroupCpu(Map<String, Long> nanos) {
    static final String STREAMS = "stream threads (and state updaters)";
    static final String BROKER = "broker";
    static final String CLIENTS = "Kafka clients' I/O threads";
    static final String GC = "GC";
    static final String JIT = "JIT compilers";
    static final String ROCKSDB = "RocksDB background";
    static final String OTHER = "other (bench driver, JVM)";
    static final List<String> GROUPS = List.of(STREAMS, BROKER, CLIENTS, GC, JIT, ROCKSDB, OTHER);

    private static final Path TASKS = Path.of("/proc/self/task");
    /** Clock ticks per second of /proc's times: 100 on every Linux the JDK runs on. */
    private static final long TICK_NANOS = 10_000_000L;

    /** Now, or an empty snapshot where there is no /proc (then the bench prints no breakdown). */
    static ThreadGroupCpu now() {
        Map<String, Long> by = new LinkedHashMap<>();
        GROUPS.forEach(g -> by.put(g, 0L));
        if (!Files.isDirectory(TASKS)) {
            return new ThreadGroupCpu(Map.of());
        }
        try (Stream<Path> tasks = Files.list(TASKS)) {
            tasks.forEach(task -> {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException gone) {
                    return; // the thread ended between the listing and the read
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                String[] fields = stat.substring(close + 2).split(" ");
                // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                by.merge(group(name), ticks * TICK_NANOS, Long::sum);
            });
        } catch (IOException e) {
            return new ThreadGroupCpu(Map.of());
        }
        return new ThreadGroupCpu(by);
    }

    /**
     * The group of a thread by its name as the kernel keeps it (the first 15 characters of the Java
     * name). The benches name their Kafka Streams applications {@code bench-…}.
     */
    static String group(String name) {
        if (name.startsWith("bench-")) {
            return STREAMS;
        }
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return JIT;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return GC;
        }
        if (name.startsWith("rocksdb:")) {
            return ROCKSDB;
        }
        if (name.startsWith("kafka-producer-")
                || name.startsWith("kafka-coordinat")
                || name.startsWith("kafka-admin-cli")
                || name.startsWith("kafka-consumer-")) {
            return CLIENTS;
        }
        if (name.equals("java")
                || name.startsWith("VM ")
                || name.equals("Sweeper thread")
                || name.equals("Service Thread")
                || name.equals("Monitor Deflati")
                || name.equals("Signal Dispatch")
                || name.equals("Common-Cleaner")
                || name.equals("Reference Handl")
                || name.equals("Finalizer")
                || name.startsWith("pool-")) {
            return OTHER;
        }
        return BROKER; // every other thread of this JVM is the embedded broker's
    }

    boolean available() {
        return !nanos.isEmpty();
    }

    /** The CPU time since {@code before}, by group. */
    ThreadGroupCpu since(ThreadGroupCpu before) {
        Map<String, Long> d = new LinkedHashMap<>();
        nanos.forEach((g, n) -> d.put(g, n - before.nanos.getOrDefault(g, 0L)));
        return new ThreadGroupCpu(d);
    }

    /** One line: each group's CPU µs per token. */
    String perToken(long tokens) {
        StringBuilder s = new StringBuilder();
        nanos.forEach((g, n) -> {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(String.format("%s %,.1f", g, n / 1e3 / tokens));
        });
        return s.toString();
    }
}
