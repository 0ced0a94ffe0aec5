package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The limits on a fake clock: a sleep moves the clock, so waits are measured, not slept. */
class CallLimitsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Long> sleeps = new ArrayList<>();

    private CallLimits limits(int concurrency, int perMinute, long perHour) {
        return new CallLimits(concurrency, perMinute, perHour, now::get, ms -> {
            sleeps.add(ms);
            now.addAndGet(ms);
        });
    }

    @Test
    void theHourlyTokenBudgetMakesTheNextCallWaitUntilTheOldestTokensAgeOut() throws Exception {
        CallLimits limits = limits(4, 0, 1000);
        limits.acquire();
        limits.release(600); // t0: 600 tokens
        now.addAndGet(10 * 60_000);
        limits.acquire();
        limits.release(500); // t0 + 10 min: 1100 tokens, over budget
        assertThat(limits.tokensLastHour()).isEqualTo(1100);
        long before = now.get();
        limits.acquire(); // waits until t0's 600 leave the window
        assertThat(now.get() - before).isEqualTo(50 * 60_000);
        assertThat(limits.tokensLastHour()).isEqualTo(500);
        limits.release(0);
    }

    @Test
    void requestsPerMinuteSpaceCallsOut() throws Exception {
        CallLimits limits = limits(4, 2, 0);
        long start = now.get();
        for (int i = 0; i < 5; i++) {
            limits.acquire();
            limits.release(10);
        }
        // two in the first minute, two in the second, the fifth at the start of the third
        assertThat(now.get() - start).isEqualTo(2 * 60_000);
    }

    @Test
    void concurrencyBoundsCallsInFlight() throws Exception {
        CallLimits limits = new CallLimits(2, 0, 0, System::currentTimeMillis, Thread::sleep);
        limits.acquire();
        limits.acquire();
        Thread third = new Thread(() -> {
            try {
                limits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        third.start();
        third.join(300);
        assertThat(third.isAlive())
                .as("a third call waits while two are in flight")
                .isTrue();
        limits.release(0);
        third.join(5000);
        assertThat(third.isAlive()).isFalse();
    }
}
