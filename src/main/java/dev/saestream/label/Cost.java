package dev.saestream.label;

import java.util.List;
import java.util.Map;

/**
 * What a label cost in LLM calls and tokens, as the provider reported them (LangChain4j's token
 * usage). Calls whose answer did not parse cost tokens too and are counted; calls refused (429)
 * or timed out report no usage and count zero tokens.
 *
 * @param calls        LLM calls made, retries included
 * @param failedCalls  calls that did not give a usable answer (refused, timed out, unparseable)
 * @param inputTokens  prompt tokens over all calls, cached ones included
 * @param outputTokens answer tokens over all calls
 * @param byKind       the same per kind of call: explain, detection, fuzzing, simulation
 * @param perCall      every call, in order
 * @param cachedInputTokens     of the input tokens, those the provider read from its prompt cache (billed at
 *                              its cached rate: OpenAI's cached_tokens, Anthropic's cache_read_input_tokens)
 * @param cacheWriteInputTokens of the input tokens, those the provider wrote to its prompt cache (Anthropic's
 *                              cache_creation_input_tokens, billed above the input rate; OpenAI writes for free)
 */
public record Cost(
        int calls,
        int failedCalls,
        long inputTokens,
        long outputTokens,
        Map<String, KindCost> byKind,
        List<Call> perCall,
        long cachedInputTokens,
        long cacheWriteInputTokens) {
    public static final Cost NONE = new Cost(0, 0, 0, 0, Map.of(), List.of());

    public Cost {
        byKind = Ordered.copy(byKind);
        perCall = perCall == null ? List.of() : List.copyOf(perCall);
    }

    /** A cost without prompt caching. */
    public Cost(
            int calls,
            int failedCalls,
            long inputTokens,
            long outputTokens,
            Map<String, KindCost> byKind,
            List<Call> perCall) {
        this(calls, failedCalls, inputTokens, outputTokens, byKind, perCall, 0, 0);
    }

    /** Calls and tokens of one kind of call; the cached and cache-written tokens are part of the input tokens. */
    public record KindCost(
            int calls, long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteInputTokens) {
        public KindCost(int calls, long inputTokens, long outputTokens) {
            this(calls, inputTokens, outputTokens, 0, 0);
        }
    }

    /**
     * Dollars at per-million-token prices: uncached input at {@code input}, cache reads at {@code cachedInput},
     * cache writes at {@code cacheWrite}, output at {@code output}.
     */
    public double dollars(double input, double cachedInput, double cacheWrite, double output) {
        long uncached = inputTokens - cachedInputTokens - cacheWriteInputTokens;
        return (uncached * input
                        + cachedInputTokens * cachedInput
                        + cacheWriteInputTokens * cacheWrite
                        + outputTokens * output)
                / 1e6;
    }

    /**
     * One LLM call.
     *
     * @param kind    explain, detection, fuzzing or simulation
     * @param attempt 1 for the first try of a request, 2 for its first retry, …
     * @param inputTokens  prompt tokens the provider reported (0 when it reported none)
     * @param outputTokens answer tokens the provider reported
     * @param millis  wall-clock time of the call
     * @param outcome ok, malformed, rate-limited, server-error, timeout, refused
     * @param cachedInputTokens     of the input tokens, those read from the provider's prompt cache
     * @param cacheWriteInputTokens of the input tokens, those written to it
     */
    public record Call(
            String kind,
            int attempt,
            long inputTokens,
            long outputTokens,
            long millis,
            String outcome,
            long cachedInputTokens,
            long cacheWriteInputTokens) {
        public Call(String kind, int attempt, long inputTokens, long outputTokens, long millis, String outcome) {
            this(kind, attempt, inputTokens, outputTokens, millis, outcome, 0, 0);
        }
    }
}
