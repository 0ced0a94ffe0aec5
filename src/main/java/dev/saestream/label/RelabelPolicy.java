package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When a feature is (re)labelled. A feature is labelled once it has {@link LabelConfig.Sampling#minWindows}
 * activating windows; relabelled when the label's basis is no longer the feature's: the share of
 * its current top windows that the label saw ({@link #basisShare}) has fallen below
 * {@link LabelConfig.Relabelling#share}, or its density has moved by {@link LabelConfig.Relabelling#densityFactor}
 * either way. Between two labels of one feature lies at least {@link LabelConfig#relabelIntervalMillis}:
 * an hour for an LLM explainer (each label costs), seconds for the offline one. A version already
 * labelled (or tried) is never paid for again; a failed label is tried again on a later version,
 * after the interval.
 */
public final class RelabelPolicy {
    private final LabelConfig config;

    public RelabelPolicy(LabelConfig config) {
        this.config = config;
    }

    public enum Decision {
        /** Not enough activating windows yet. */
        NOT_READY,
        /** Never labelled: label it. */
        NEW,
        /** Changed materially since its label: label it again. */
        CHANGED,
        /** Changed materially, but labelled too recently: label it again from {@code notBeforeMs}. */
        WAIT,
        /** Its label still holds. */
        UNCHANGED;

        public boolean due() {
            return this == NEW || this == CHANGED;
        }
    }

    public record Verdict(Decision decision, long notBeforeMs, String reason) {}

    public Verdict decide(RelabelCandidate state, Label last, long nowMs) {
        if (state.windows() < config.sampling().minWindows()) {
            return new Verdict(
                    Decision.NOT_READY,
                    0,
                    state.windows() + " of " + config.sampling().minWindows() + " windows");
        }
        if (last == null) {
            return new Verdict(Decision.NEW, 0, "never labelled");
        }
        if (last.basis().version() >= state.version()) {
            return new Verdict(Decision.UNCHANGED, 0, "version " + state.version() + " already labelled");
        }
        double share = basisShare(last.basis().topIds(), state.topIds());
        double ratio = densityRatio(last.basis().density(), state.density());
        String why;
        if (last.status() == Label.Status.FAILED) {
            why = "the last label failed";
        } else if (share < config.relabel().share()) {
            why = String.format(java.util.Locale.ROOT, "label based on %.0f%% of the current top windows", 100 * share);
        } else if (ratio >= config.relabel().densityFactor()) {
            why = String.format("density moved ×%.2f", ratio);
        } else {
            return new Verdict(Decision.UNCHANGED, 0, "no material change");
        }
        long notBefore = last.createdMs() + config.relabelIntervalMillis();
        return nowMs < notBefore ? new Verdict(Decision.WAIT, notBefore, why) : new Verdict(Decision.CHANGED, 0, why);
    }

    /**
     * The share of {@code state}'s current top windows that {@code label} was based on (its
     * {@code basis.topIds}): 1 right after labelling, falling as stronger windows replace them.
     * This is what "label based on 62% of current top examples" says; serve calls the same method.
     */
    public static double basisShare(Label label, FeatureState state) {
        return basisShare(
                label.basis().topIds(),
                state.top().stream().map(FeatureWindow::id).toList());
    }

    /** |seen ∩ now| / |now| over distinct window ids; 1 when the feature has no top windows now. */
    static double basisShare(List<String> seen, List<String> now) {
        Set<String> current = new HashSet<>(now);
        if (current.isEmpty()) {
            return 1;
        }
        Set<String> saw = new HashSet<>(seen);
        long kept = current.stream().filter(saw::contains).count();
        return (double) kept / current.size();
    }

    /** max(a/b, b/a); infinite when exactly one of them is zero, 1 when both are. */
    static double densityRatio(double before, double now) {
        if (before == 0 || now == 0) {
            return before == now ? 1 : Double.POSITIVE_INFINITY;
        }
        return Math.max(before / now, now / before);
    }

    /** The order of work: never-labelled features first, then by density (commoner first), then key. */
    public static final Comparator<Candidate> PRIORITY = Comparator.comparing((Candidate c) -> !c.neverLabelled())
            .thenComparing(Comparator.comparingDouble(Candidate::density).reversed())
            .thenComparing(Candidate::key);

    /** What the priority order looks at. */
    public interface Candidate {
        String key();

        boolean neverLabelled();

        double density();
    }
}
