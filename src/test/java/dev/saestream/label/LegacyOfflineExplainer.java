package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.label.OfflineExplainer.Counts;
import dev.saestream.label.OfflineExplainer.TokenScore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The offline explainer as it was before issue 13 (log-odds-dirichlet-v1), kept in the tests only so
 * that {@link LabelQualityBench} can measure the current one against it on one catalogue.
 *
 * <p>Explains a feature with no network: which tokens it fires on, and after which tokens, compared
 * with how often those tokens occur in the background sample.
 *
 * <p>Each token's over-representation is a log-odds ratio with an informative Dirichlet prior
 * (Monroe, Colaresi and Quinn 2008, "Fightin' Words"): with y the firing counts, b the background
 * counts and the prior α_t = α0·(y_t + b_t)/(n_y + n_b),
 * δ_t = log((y_t+α_t)/(n_y+α0−y_t−α_t)) − log((b_t+α_t)/(n_b+α0−b_t−α_t)), z_t = δ_t / √(1/(y_t+α_t) + 1/(b_t+α_t)).
 * The prior keeps a token seen a few times from standing out on chance alone.
 */
final class LegacyOfflineExplainer implements Explainer {
    static final String METHOD = "log-odds-dirichlet-v1";
    /** A token counts as firing at half its window's peak or more. */
    static final double FIRING_FRACTION = 0.5;

    static final int MAX_TOKENS = 3;
    /** A context token is named when it precedes at least this share of firing tokens. */
    static final double CONTEXT_SHARE = 0.3;

    private final BackgroundIndex background;

    LegacyOfflineExplainer(BackgroundIndex background) {
        this.background = background;
    }

    @Override
    public Label.ExplainerInfo info() {
        return new Label.ExplainerInfo("offline", null, METHOD);
    }

    @Override
    public Explanation explain(FeatureState state, List<FeatureWindow> examples, CostMeter meter) {
        if (examples.isEmpty()) {
            return Explanation.failed("no examples to explain from");
        }
        Counts firing = new Counts();
        Counts before = new Counts();
        Counts peaks = new Counts();
        for (FeatureWindow w : examples) {
            float peak = w.max();
            Set<String> inThis = new HashSet<>();
            for (int i = 0; i < w.tokens().length; i++) {
                String norm = TokenStats.normalise(w.tokens()[i]);
                if (norm.isEmpty() || !(w.acts()[i] > 0 && w.acts()[i] >= FIRING_FRACTION * peak)) {
                    continue;
                }
                firing.add(norm, w.tokens()[i].strip(), inThis.add(norm));
                String prev = previous(w.tokens(), i);
                if (prev != null) {
                    before.add(TokenStats.normalise(prev), prev.strip(), true);
                }
            }
            String peakToken = w.tokens()[w.peak() - w.first()];
            peaks.add(TokenStats.normalise(peakToken), peakToken.strip(), true);
        }
        TokenStats bg = background.tokens(state.saeId());
        int minExamples = Math.max(2, (int) Math.ceil(0.1 * examples.size()));

        List<String> named = OfflineExplainer.ranked(firing, bg).stream()
                .filter(s -> s.z() >= Stats.Z95 || bg.total() == 0)
                .filter(s -> firing.examples(s.token()) >= minExamples)
                .limit(MAX_TOKENS)
                .map(TokenScore::token)
                .toList();
        String context = OfflineExplainer.ranked(before, bg).stream()
                .filter(s -> s.z() >= Stats.Z95 && before.count(s.token()) >= CONTEXT_SHARE * firing.total)
                .map(TokenScore::token)
                .findFirst()
                .orElse(null);

        StringBuilder sb = new StringBuilder();
        if (!named.isEmpty()) {
            int covered = 0;
            for (FeatureWindow w : examples) {
                if (named.contains(TokenStats.normalise(w.tokens()[w.peak() - w.first()]))) {
                    covered++;
                }
            }
            boolean most = 2 * covered >= examples.size();
            sb.append(most ? "Fires on " : "Fires on varied tokens such as ")
                    .append(OfflineExplainer.list(named, firing));
            sb.append(most ? " (the peak token in " : " (together the peak token in only ")
                    .append(covered)
                    .append(" of ")
                    .append(examples.size())
                    .append(" examples)");
        } else {
            List<String> common = peaks.byCount().stream().limit(MAX_TOKENS).toList();
            sb.append("Fires on varied tokens, none standing out against the background; strongest on ")
                    .append(OfflineExplainer.list(common, peaks));
        }
        if (context != null) {
            sb.append(", often right after ").append(OfflineExplainer.quote(before.surface(context)));
        }
        return Explanation.of(sb.append('.').toString());
    }

    private static String previous(String[] tokens, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (!TokenStats.normalise(tokens[j]).isEmpty()) {
                return tokens[j];
            }
        }
        return null;
    }
}
