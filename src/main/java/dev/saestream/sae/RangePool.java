package dev.saestream.sae;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits [0, n) into one contiguous range per thread, the caller's thread taking the first. The
 * ranges depend only on n and the thread count, and each range's work is sequential, so callers
 * that keep every sum inside one range get the same result on any number of threads.
 */
final class RangePool implements AutoCloseable {
    /** The work for one range. */
    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    /** {@code threads} 1 runs everything on the caller's thread and starts none. */
    RangePool(int threads, String threadName) {
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, daemonThreads(threadName)) : null;
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs {@code task} over [0, n), in one call when n is too small to be worth splitting. */
    void run(int n, RangeTask task) {
        if (pool == null || n < 2 * threads) {
            task.run(0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            futures.add(pool.submit(() -> task.run(from, to)));
        }
        task.run(0, n / threads);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
