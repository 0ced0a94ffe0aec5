package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.label.ScriptedLlmServer.Dialect;
import dev.saestream.label.ScriptedLlmServer.Reply;
import java.net.http.HttpHeaders;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A rate-limited or overloaded server's Retry-After sets the wait before the retry, through the real clients. */
class RetryAfterTest {
    static ScriptedLlmServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new ScriptedLlmServer(request -> Reply.ok("{\"explanation\": \"fine\"}"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The waits before each retry of one call whose first answers are {@code first}. */
    static List<Long> waits(Dialect dialect, Reply... first) throws Exception {
        server.reset();
        server.then(first);
        LabelConfig cfg = LabelConfig.DEFAULTS.withLlmExplainer(
                LabelConfig.Provider.of(dialect.name()), server.baseUrl(dialect), "m");
        cfg = cfg.withLlm(cfg.llm().withRetries(3, 100, 10_000));
        List<Long> slept = new ArrayList<>();
        LlmClient client = new LlmClient(ChatModels.create(cfg, Map.of()), cfg, CallLimits.of(cfg), slept::add);
        LlmClient.Answer<String> answer = client.ask(
                "explanation",
                new LlmClient.Prompt("system", "user", Prompts.EXPLAIN_SCHEMA),
                root -> root.path("explanation").asText(),
                new CostMeter());
        assertThat(answer.value()).isEqualTo("fine");
        assertThat(server.requests()).hasSize(first.length + 1);
        return slept;
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theClientWaitsWhatTheServerAsksForUpToItsLongestBackOff(Dialect dialect) throws Exception {
        assertThat(waits(dialect, Reply.status(429, "Retry-After", "7"))).containsExactly(7_000L);
        assertThat(waits(dialect, Reply.status(503, "retry-after-ms", "250"))).containsExactly(250L);
        assertThat(waits(dialect, Reply.status(429, "Retry-After", "3600"))).containsExactly(10_000L);
        // no hint: the client's own back-off, the first one being 100 ms less up to half of jitter
        assertThat(waits(dialect, Reply.status(429)))
                .singleElement()
                .satisfies(ms -> assertThat(ms).isBetween(50L, 100L));
        // a hint holds for the answer that gave it, not for a later one without
        List<Long> two = waits(dialect, Reply.status(429, "Retry-After", "2"), Reply.status(500));
        assertThat(two).hasSize(2);
        assertThat(two.get(0)).isEqualTo(2_000L);
        assertThat(two.get(1)).isBetween(100L, 200L);
    }

    static OptionalLong parse(Map<String, List<String>> headers, long now) {
        return RetryAfter.parse(HttpHeaders.of(headers, (name, value) -> true), now);
    }

    @Test
    void theHeaderIsReadAsMillisecondsSecondsOrADate() {
        long now = 1_700_000_000_000L;
        String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(now + 30_000), ZoneOffset.UTC));
        assertThat(parse(Map.of("Retry-After", List.of("3")), now)).hasValue(3_000);
        assertThat(parse(Map.of("retry-after", List.of(" 1.5 ")), now)).hasValue(1_500);
        assertThat(parse(Map.of("Retry-After", List.of(in30s)), now)).hasValue(30_000);
        assertThat(parse(Map.of("Retry-After", List.of(in30s)), now + 60_000)).hasValue(0);
        // OpenAI's milliseconds come first
        assertThat(parse(Map.of("retry-after-ms", List.of("120.4"), "retry-after", List.of("9")), now))
                .hasValue(120);
        assertThat(parse(Map.of("retry-after-ms", List.of("soon"), "retry-after", List.of("9")), now))
                .hasValue(9_000);
        assertThat(parse(Map.of("Retry-After", List.of("tomorrow")), now)).isEmpty();
        assertThat(parse(Map.of("Retry-After", List.of("-4")), now)).isEmpty();
        assertThat(parse(Map.of(), now)).isEmpty();
    }
}
