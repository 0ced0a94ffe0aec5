package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.List;

/** Writes a short explanation of what a feature detects, from windows where it fires. */
public interface Explainer {
    /** Who this explainer is, as recorded in labels. */
    Label.ExplainerInfo info();

    /**
     * Explains {@code state} from {@code examples}. A malformed answer gives an explanation with a
     * failure instead of text; an LLM that stays unreachable throws.
     */
    Explanation explain(FeatureState state, List<FeatureWindow> examples, CostMeter meter)
            throws LlmUnavailableException;

    /**
     * The LLM calls {@link #explain} would make, built but not sent, answered by {@code expected};
     * none for an explainer that asks no LLM.
     */
    default List<PlannedCall> plan(FeatureState state, List<FeatureWindow> examples, String expected) {
        return List.of();
    }

    /** The explanation, or why there is none. */
    record Explanation(String text, String failure) {
        public Explanation {
            if ((text == null || text.isBlank()) == (failure == null || failure.isBlank())) {
                throw new IllegalArgumentException("an explanation has either text or a failure");
            }
        }

        public static Explanation of(String text) {
            return new Explanation(text.strip(), null);
        }

        public static Explanation failed(String reason) {
            return new Explanation(null, reason);
        }

        public boolean ok() {
            return text != null;
        }
    }
}
