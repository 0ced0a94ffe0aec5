package dev.saestream.serve;

import java.util.ArrayDeque;

/**
 * Tokens per second over about the last {@link #WINDOW_NANOS}, from samples of a running count.
 * A count that goes back (a restarted stage, a view that began again) starts the window anew.
 */
final class TokenRate {
    static final long WINDOW_NANOS = 10_000_000_000L;

    /** (nanoTime, count) pairs, oldest first. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** Adds a sample; returns the rate over the window, or null until two samples span some time. */
    synchronized Double add(long nanos, long count) {
        if (!samples.isEmpty() && count < samples.peekLast()[1]) {
            samples.clear();
        }
        samples.addLast(new long[] {nanos, count});
        while (samples.size() > 2 && nanos - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        return nanos > first[0] ? (count - first[1]) / ((nanos - first[0]) / 1e9) : null;
    }

    /** Forgets every sample: the next rate starts from the next one. */
    synchronized void reset() {
        samples.clear();
    }
}
