package dev.saestream.label;

import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * When a feature is (re)labelled. A feature is labelled once it has {@link LabelConfig#minWindows}
 * activating windows; relabelled when its top windows have changed materially (a fraction
 * {@link LabelConfig#relabelReplaced} of those the last label saw replaced) or its density has
 * moved by {@link LabelConfig#relabelDensityFactor} either way, at most once per
 * {@link LabelConfig#relabelIntervalSeconds}. A version already labelled (or tried) is never paid
 * for again; a failed label is tried again on a later version, after the interval.
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

    public Verdict decide(FeatureSummary state, Label last, long nowMs) {
        if (state.windows() < config.minWindows()) {
            return new Verdict(Decision.NOT_READY, 0, state.windows() + " of " + config.minWindows() + " windows");
        }
        if (last == null) {
            return new Verdict(Decision.NEW, 0, "never labelled");
        }
        if (last.basis().version() >= state.version()) {
            return new Verdict(Decision.UNCHANGED, 0, "version " + state.version() + " already labelled");
        }
        double replaced = replacedFraction(last, state);
        double ratio = densityRatio(last.basis().density(), state.density());
        String why;
        if (last.status() == Label.Status.FAILED) {
            why = "the last label failed";
        } else if (replaced >= config.relabelReplaced()) {
            why = String.format("%.0f%% of the top windows replaced", 100 * replaced);
        } else if (ratio >= config.relabelDensityFactor()) {
            why = String.format("density moved ×%.2f", ratio);
        } else {
            return new Verdict(Decision.UNCHANGED, 0, "no material change");
        }
        long notBefore = last.createdMs() + config.relabelIntervalSeconds() * 1000;
        return nowMs < notBefore ? new Verdict(Decision.WAIT, notBefore, why) : new Verdict(Decision.CHANGED, 0, why);
    }

    /** The share of the top windows the last label saw that are no longer in the top. */
    static double replacedFraction(Label last, FeatureSummary state) {
        if (last.basis().topIds().isEmpty()) {
            return state.topIds().isEmpty() ? 0 : 1;
        }
        Set<String> now = new HashSet<>(state.topIds());
        long gone = last.basis().topIds().stream().filter(id -> !now.contains(id)).count();
        return (double) gone / last.basis().topIds().size();
    }

    /** max(a/b, b/a); infinite when exactly one of them is zero, 1 when both are. */
    static double densityRatio(double before, double now) {
        if (before == 0 || now == 0) {
            return before == now ? 1 : Double.POSITIVE_INFINITY;
        }
        return Math.max(before / now, now / before);
    }

    /** The order of work: never-labelled features first, then by density (commoner first), then key. */
    public static final Comparator<Candidate> PRIORITY = Comparator
            .comparing((Candidate c) -> !c.neverLabelled())
            .thenComparing(Comparator.comparingDouble(Candidate::density).reversed())
            .thenComparing(Candidate::key);

    /** What the priority order looks at. */
    public interface Candidate {
        String key();

        boolean neverLabelled();

        double density();
    }
}
