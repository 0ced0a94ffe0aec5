package dev.saestream.label;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits on LLM calls shared by every labelling thread: calls in flight, requests per minute and
 * tokens (input + output) per hour, both over sliding windows. A call waits until it fits. Tokens
 * are known only once a call returns, so the hourly budget can be overrun by the calls already in
 * flight when it is reached, and no more.
 */
public final class CallLimits {
    private static final Logger log = LoggerFactory.getLogger(CallLimits.class);
    static final long MINUTE_MS = 60_000;
    static final long HOUR_MS = 3_600_000;

    /** Waits; tests pass one that moves a fake clock instead. */
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final Semaphore inFlight;
    private final int requestsPerMinute;
    private final long tokensPerHour;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private final Deque<Long> requests = new ArrayDeque<>();
    private final Deque<long[]> tokens = new ArrayDeque<>();
    private long tokensInWindow;
    private long budgetWarnedAt = Long.MIN_VALUE;

    public CallLimits(int concurrency, int requestsPerMinute, long tokensPerHour, LongSupplier clock, Sleeper sleeper) {
        if (concurrency <= 0) {
            throw new IllegalArgumentException("concurrency must be positive, got " + concurrency);
        }
        this.inFlight = new Semaphore(concurrency, true);
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerHour = tokensPerHour;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static CallLimits of(LabelConfig config) {
        LabelConfig.Limits limits = config.limits();
        return new CallLimits(
                limits.concurrency(),
                limits.requestsPerMinute(),
                limits.tokensPerHour(),
                System::currentTimeMillis,
                Thread::sleep);
    }

    /** Blocks until one more call may start; pair with {@link #release}. */
    public void acquire() throws InterruptedException {
        inFlight.acquire();
        try {
            long wait;
            while ((wait = reserve()) > 0) {
                sleeper.sleep(wait);
            }
        } catch (InterruptedException | RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    /** Ends a call that used {@code usedTokens} tokens. */
    public void release(long usedTokens) {
        synchronized (this) {
            if (usedTokens > 0) {
                tokens.addLast(new long[] {clock.getAsLong(), usedTokens});
                tokensInWindow += usedTokens;
            }
        }
        inFlight.release();
    }

    /** Tokens spent over the last hour. */
    public synchronized long tokensLastHour() {
        expire(clock.getAsLong());
        return tokensInWindow;
    }

    /** Takes a request slot and returns 0, or returns how long to wait before asking again. */
    private synchronized long reserve() {
        long now = clock.getAsLong();
        expire(now);
        if (tokensPerHour > 0 && tokensInWindow >= tokensPerHour) {
            long wait = tokens.peekFirst()[0] + HOUR_MS - now;
            if (budgetWarnedAt < tokens.peekFirst()[0]) {
                budgetWarnedAt = tokens.peekFirst()[0];
                log.warn(
                        "token budget of {} per hour reached; next LLM call in {} s",
                        tokensPerHour,
                        (wait + 999) / 1000);
            }
            return Math.max(1, wait);
        }
        if (requestsPerMinute > 0 && requests.size() >= requestsPerMinute) {
            return Math.max(1, requests.peekFirst() + MINUTE_MS - now);
        }
        requests.addLast(now);
        return 0;
    }

    private void expire(long now) {
        while (!requests.isEmpty() && requests.peekFirst() <= now - MINUTE_MS) {
            requests.removeFirst();
        }
        while (!tokens.isEmpty() && tokens.peekFirst()[0] <= now - HOUR_MS) {
            tokensInWindow -= tokens.removeFirst()[1];
        }
    }
}
