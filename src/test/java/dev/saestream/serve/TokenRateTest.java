package dev.saestream.serve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void theRateIsOverTheLastTenSecondsOfSamples() {
        TokenRate rate = new TokenRate();
        assertThat(rate.add(0, 1_000)).as("one sample is no rate").isNull();
        assertThat(rate.add(2 * S, 3_000)).isEqualTo(1_000.0);
        assertThat(rate.add(4 * S, 3_000)).isEqualTo(500.0);
        // at 14 s the samples at 0 and 2 s are more than 10 s old and drop out: (7,000 - 3,000) / (14 - 4)
        assertThat(rate.add(14 * S, 7_000)).isEqualTo(400.0);
        // a quiet stream goes to zero once its last change leaves the window
        assertThat(rate.add(30 * S, 7_000)).isEqualTo(0.0);
    }

    @Test
    void aCountThatGoesBackStartsAgain() {
        TokenRate rate = new TokenRate();
        rate.add(0, 50_000);
        rate.add(S, 51_000);
        // a view that began again from the start of its topics: no negative rate, no rate until a second sample
        assertThat(rate.add(2 * S, 10)).isNull();
        assertThat(rate.add(3 * S, 210)).isEqualTo(200.0);
        rate.reset();
        assertThat(rate.add(4 * S, 300)).isNull();
    }
}
