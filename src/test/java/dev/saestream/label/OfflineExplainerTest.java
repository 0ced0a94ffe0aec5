package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.catalog.FeatureState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OfflineExplainerTest {
    private static SyntheticCatalog catalog;
    private static BackgroundIndex background;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(300), SyntheticCatalog.standardSpecs());
        background = catalog.backgroundIndex(400, 11);
    }

    private static String explain(int feature, BackgroundIndex bg) {
        FeatureState state = catalog.state(feature, 1);
        ExampleSampler.Samples s = new ExampleSampler(LabelConfig.DEFAULTS).sample(state, bg, null);
        Explainer.Explanation e = new OfflineExplainer(bg).explain(state, s.explain(), new CostMeter());
        assertThat(e.ok()).isTrue();
        return e.text();
    }

    @Test
    void namesTheTokensAFeatureFiresOnAndTheTokenBefore() {
        // given features firing on "Europe"/"European" and on "President" (which Europarl puts after "Mr")
        // when explained offline, then the sentence names them, how often they peak, and the context
        assertThat(explain(3, background)).isEqualTo(
                "Fires on \"European\" and \"Europe\" (the peak token in 40 of 40 examples), often right after \"the\".");
        assertThat(explain(4, background)).startsWith("Fires on \"President\" (the peak token in 40 of 40 examples)")
                .endsWith("often right after \"Mr\".");
        assertThat(explain(7, background)).contains("\"rights\"").endsWith("often right after \"human\".");
    }

    @Test
    void aFeatureOnManyDifferentRareTokensIsCalledVaried() {
        // given a feature on every number, each number rare; then no one token covers most examples
        assertThat(explain(12, background)).startsWith("Fires on varied tokens such as ").contains("together the peak token in only");
    }

    @Test
    void withoutABackgroundTheCommonestFiringTokensAreNamed() {
        assertThat(explain(2, new BackgroundIndex())).startsWith("Fires on \"Council\" (the peak token in 40 of 40 examples)");
    }

    @Test
    void logOddsZMatchesHandComputation() {
        // 30 of 40 firing tokens, never in 10,000 background tokens: α = 100·30/10040 (see the class comment)
        assertThat(OfflineExplainer.z(30, 40, 0, 10_000)).isCloseTo(4.972602531863012, within(1e-12));
        // the same share in both (7/133 = 505/9595): no evidence either way
        assertThat(OfflineExplainer.z(2, 40, 500, 10_000)).isCloseTo(0.0, within(1e-12));
    }
}
