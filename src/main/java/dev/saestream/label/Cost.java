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
 * @param inputTokens  prompt tokens over all calls
 * @param outputTokens answer tokens over all calls
 * @param byKind       the same per kind of call: explain, detection, fuzzing, simulation
 * @param perCall      every call, in order
 */
public record Cost(int calls, int failedCalls, long inputTokens, long outputTokens, Map<String, KindCost> byKind,
                   List<Call> perCall) {
    public static final Cost NONE = new Cost(0, 0, 0, 0, Map.of(), List.of());

    public Cost {
        byKind = Ordered.copy(byKind);
        perCall = perCall == null ? List.of() : List.copyOf(perCall);
    }

    /** Calls and tokens of one kind of call. */
    public record KindCost(int calls, long inputTokens, long outputTokens) {}

    /**
     * One LLM call.
     *
     * @param kind    explain, detection, fuzzing or simulation
     * @param attempt 1 for the first try of a request, 2 for its first retry, …
     * @param inputTokens  prompt tokens the provider reported (0 when it reported none)
     * @param outputTokens answer tokens the provider reported
     * @param millis  wall-clock time of the call
     * @param outcome ok, malformed, rate-limited, server-error, timeout, refused
     */
    public record Call(String kind, int attempt, long inputTokens, long outputTokens, long millis, String outcome) {}
}
