package dev.saestream.label;

/**
 * An LLM call a label would make, built but not sent: for estimating what a relabel costs before
 * paying for it.
 *
 * @param kind   explain, detection, fuzzing, simulation, intruder, or one of those with {@link CostMeter#NULL_SUFFIX}
 * @param prompt the prompt exactly as it would be sent
 * @param answer the shortest answer its schema accepts (compact JSON): what the output tokens are estimated from
 */
public record PlannedCall(String kind, LlmClient.Prompt prompt, String answer) {
    public PlannedCall {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("a planned call needs a kind, got '" + kind + "'");
        }
        if (prompt == null || answer == null) {
            throw new IllegalArgumentException(
                    "a planned call (" + kind + ") needs its prompt and its expected answer");
        }
    }

    /** The same call as a null baseline's. */
    PlannedCall forNull() {
        return new PlannedCall(kind + CostMeter.NULL_SUFFIX, prompt, answer);
    }
}
