package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offline explainer's sentences. The counts in them are checked against the windows the
 * explainer was given, counted here, so that a change in the sample (the split, the corpus) can
 * not hide or fake an error in the counting.
 */
class OfflineExplainerTest {
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

    private static SyntheticCatalog catalog;
    private static BackgroundIndex background;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(300), SyntheticCatalog.standardSpecs());
        background = catalog.backgroundIndex(400, 11);
    }

    /** An explanation and the windows it was written from. */
    private record Explained(String text, List<FeatureWindow> examples) {
        /** How many examples peak on one of {@code words} (any case, surrounding spaces ignored). */
        long peakingOn(Set<String> words) {
            return examples.stream()
                    .filter(w -> words.contains(w.tokens()[w.peak() - w.first()].strip().toLowerCase(Locale.ROOT)))
                    .count();
        }

        /** "(the peak token in K of N examples)" with K and N counted from the examples. */
        String coverage(String... words) {
            long k = peakingOn(Set.of(words));
            assertThat(k).as("examples peaking on %s", List.of(words)).isPositive();
            return "(the peak token in " + k + " of " + examples.size() + " examples)";
        }
    }

    private static Explained explain(int feature, BackgroundIndex bg) {
        FeatureState state = catalog.state(feature, 1);
        ExampleSampler.Samples s = new ExampleSampler(LabelConfig.DEFAULTS).sample(state, bg, null);
        Explainer.Explanation e = new OfflineExplainer(bg).explain(state, s.explain(), new CostMeter());
        assertThat(e.ok()).isTrue();
        return new Explained(e.text(), s.explain());
    }

    @Test
    void namesTheTokensAFeatureFiresOnAndTheTokenBefore() {
        // given features firing on "Europe"/"European" and on "President" (which Europarl puts after "Mr")
        Explained europe = explain(3, background);
        Explained president = explain(4, background);
        Explained rights = explain(7, background);
        // when explained offline, then the sentence names them, how often they peak, and the context;
        // each feature fires on its words alone, so every example peaks on one of them
        assertThat(europe.text()).isEqualTo(
                "Fires on \"European\" and \"Europe\" " + europe.coverage("european", "europe") + ", often right after \"the\".");
        assertThat(europe.peakingOn(Set.of("european", "europe"))).isEqualTo(europe.examples().size());
        assertThat(president.text()).startsWith("Fires on \"President\" " + president.coverage("president"))
                .endsWith("often right after \"Mr\".");
        assertThat(president.peakingOn(Set.of("president"))).isEqualTo(president.examples().size());
        assertThat(rights.text()).contains("\"rights\"").endsWith("often right after \"human\".");
    }

    @Test
    void aFeatureOnManyDifferentRareTokensIsCalledVaried() {
        // given a feature on every number, each number rare; then no one token covers most examples
        Explained numbers = explain(12, background);
        Matcher m = Pattern.compile("Fires on varied tokens such as (.+) \\(together the peak token in only (\\d+) of (\\d+) examples\\)\\.")
                .matcher(numbers.text());
        assertThat(m.matches()).as(numbers.text()).isTrue();
        // and the share it gives is that of the named tokens among the examples' peaks, under half
        List<String> named = new ArrayList<>();
        Matcher q = QUOTED.matcher(m.group(1));
        while (q.find()) {
            named.add(q.group(1).toLowerCase(Locale.ROOT));
        }
        assertThat(named).hasSizeBetween(1, OfflineExplainer.MAX_TOKENS).allMatch(t -> t.matches("\\d+"));
        long covered = numbers.peakingOn(Set.copyOf(named));
        assertThat(Long.parseLong(m.group(2))).isEqualTo(covered);
        assertThat(Integer.parseInt(m.group(3))).isEqualTo(numbers.examples().size());
        assertThat(2 * covered).isLessThan(numbers.examples().size());
    }

    @Test
    void withoutABackgroundTheCommonestFiringTokensAreNamed() {
        Explained council = explain(2, new BackgroundIndex());
        assertThat(council.text()).startsWith("Fires on \"Council\" " + council.coverage("council"));
        assertThat(council.peakingOn(Set.of("council"))).isEqualTo(council.examples().size());
    }

    @Test
    void logOddsZMatchesHandComputation() {
        // 30 of 40 firing tokens, never in 10,000 background tokens: α = 100·30/10040 (see the class comment)
        assertThat(OfflineExplainer.z(30, 40, 0, 10_000)).isCloseTo(4.972602531863012, within(1e-12));
        // the same share in both (7/133 = 505/9595): no evidence either way
        assertThat(OfflineExplainer.z(2, 40, 500, 10_000)).isCloseTo(0.0, within(1e-12));
    }
}
