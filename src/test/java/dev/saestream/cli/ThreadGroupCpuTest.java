package dev.saestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadGroupCpuTest {
    @Test
    void threadsAreGroupedByTheirKernelNames() {
        assertEquals(ThreadGroupCpu.JIT, ThreadGroupCpu.group("C2 CompilerThre"));
        assertEquals(ThreadGroupCpu.JIT, ThreadGroupCpu.group("C1 CompilerThre"));
        assertEquals(ThreadGroupCpu.GC, ThreadGroupCpu.group("GC Thread#1"));
        assertEquals(ThreadGroupCpu.GC, ThreadGroupCpu.group("G1 Refine#0"));
        assertEquals(ThreadGroupCpu.ROCKSDB, ThreadGroupCpu.group("rocksdb:high"));
        assertEquals(ThreadGroupCpu.CLIENTS, ThreadGroupCpu.group("kafka-producer-"));
        assertEquals(ThreadGroupCpu.STREAMS, ThreadGroupCpu.group("bench-catalog-w"));
        assertEquals(ThreadGroupCpu.BROKER, ThreadGroupCpu.group("data-plane-kafk"));
        assertEquals(ThreadGroupCpu.BROKER, ThreadGroupCpu.group("kafka-log-clean"));
        assertEquals(ThreadGroupCpu.OTHER, ThreadGroupCpu.group("java"));
    }

    @Test
    void aSnapshotSumsToTheProcessCpuTime() throws InterruptedException {
        ThreadGroupCpu before = ThreadGroupCpu.now();
        assumeTrue(before.available(), "no /proc/self/task here");
        long cpu0 = PipelineBenchCommand.processCpuNanos();
        double[] x = {0};
        CountDownLatch spun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // named as a bench's stream threads are, so it lands in their group; alive while measured, since
        // /proc forgets an ended thread
        Thread spinner = new Thread(
                () -> {
                    // 300 ms of its own CPU, not of the clock: the suite's other JVM shares the cores
                    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                    long until = mx.getCurrentThreadCpuTime() + 300_000_000L;
                    while (mx.getCurrentThreadCpuTime() < until) {
                        for (int i = 0; i < 1_000; i++) {
                            x[0] += Math.sqrt(x[0] + 1);
                        }
                    }
                    spun.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-spinner");
        spinner.start();
        spun.await();
        ThreadGroupCpu used = ThreadGroupCpu.now().since(before);
        long process = PipelineBenchCommand.processCpuNanos() - cpu0;
        release.countDown();
        spinner.join();
        long sum = used.nanos().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(x[0] > 0);
        assertTrue(used.nanos().get(ThreadGroupCpu.STREAMS) >= 200_000_000L, used.toString());
        // /proc counts in ticks of 10 ms per thread; allow a tick for each group and thread that ran
        long slack = 20L * 10_000_000L + process / 10;
        assertTrue(Math.abs(sum - process) <= slack, sum + " against " + process + " " + used);
    }
}
