package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import java.util.List;

/** Scores an explanation on held-out activating and non-activating examples. */
public interface Scorer {
    /** The name the score is recorded under: detection, fuzzing, simulation, embedding. */
    String name();

    /**
     * Scores {@code explanation} on {@code examples} (at least one activating and one not);
     * {@code seed} makes every random choice repeatable.
     */
    Score score(String explanation, FeatureState state, List<Example> examples, long seed, CostMeter meter)
            throws LlmUnavailableException;

    /**
     * The LLM calls {@link #score} would make with the same arguments, built by the same code but
     * not sent; none for a scorer that asks no LLM.
     */
    default List<PlannedCall> plan(String explanation, FeatureState state, List<Example> examples, long seed) {
        return List.of();
    }
}
