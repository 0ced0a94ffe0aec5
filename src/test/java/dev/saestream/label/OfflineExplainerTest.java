package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offline explainer's sentences. The counts in them are checked against the windows the
 * explainer was given, counted here, so that a change in the sample (the split, the corpus) can
 * not hide or fake an error in the counting; and a feature whose top windows and reservoir tell
 * different stories is explained by its top windows.
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

    /** An explanation, the state and the windows it was written from. */
    private record Explained(String text, FeatureState state, List<FeatureWindow> examples) {
        List<FeatureWindow> top() {
            Set<String> ids = new HashSet<>();
            state.top().forEach(w -> ids.add(w.id()));
            return examples.stream().filter(w -> ids.contains(w.id())).toList();
        }

        List<FeatureWindow> weaker() {
            List<FeatureWindow> top = top();
            return examples.stream().filter(w -> !top.contains(w)).toList();
        }

        /** "(the peak in K of T top examples and J of S weaker ones)" with every number counted from the examples. */
        String coverage(String... words) {
            Set<String> set = Set.of(words);
            long k = peakingOn(top(), set);
            assertThat(k).as("top examples peaking on %s", List.of(words)).isPositive();
            return "(the peak in " + k + " of " + top().size() + " top examples and " + peakingOn(weaker(), set)
                    + " of " + weaker().size() + " weaker ones)";
        }

        List<String> quoted() {
            List<String> out = new ArrayList<>();
            Matcher q = QUOTED.matcher(text);
            while (q.find()) {
                out.add(q.group(1));
            }
            return out;
        }
    }

    private static long peakingOn(List<FeatureWindow> windows, Set<String> words) {
        return windows.stream().filter(w -> words.contains(peak(w))).count();
    }

    private static String peak(FeatureWindow w) {
        return w.tokens()[w.peak() - w.first()].strip().toLowerCase(Locale.ROOT);
    }

    private static Explained explain(FeatureState state, BackgroundIndex bg) {
        ExampleSampler.Samples s = new ExampleSampler(LabelConfig.DEFAULTS).sample(state, bg, null);
        Explainer.Explanation e = new OfflineExplainer(bg).explain(state, s.explain(), new CostMeter());
        assertThat(e.ok()).isTrue();
        return new Explained(e.text(), state, s.explain());
    }

    @Test
    void namesThePeakTokensOfTheTopWindowsAndTheTokenBefore() {
        // given features firing on "Europe"/"European", on "President" (after "Mr") and on "rights" (after "human")
        Explained europe = explain(catalog.state(3, 1), background);
        Explained president = explain(catalog.state(4, 1), background);
        Explained rights = explain(catalog.state(7, 1), background);
        // then each sentence names them, how often they peak among the top and the weaker examples, and the context
        assertThat(europe.text())
                .startsWith("Fires on \"European\" and \"Europe\" " + europe.coverage("european", "europe"))
                .contains("often right after \"the\"")
                .endsWith("mostly capitalised words.");
        assertThat(peakingOn(europe.top(), Set.of("european", "europe")))
                .isEqualTo(europe.top().size());
        assertThat(president.text())
                .startsWith("Fires on \"President\" " + president.coverage("president"))
                .contains("often right after \"Mr\"");
        assertThat(rights.text())
                .startsWith("Fires on \"rights\" " + rights.coverage("rights"))
                .contains("often right after \"human\"");
    }

    @Test
    void theExplanationFollowsTheTopWindowsWhenTheReservoirDisagrees() {
        // given a feature whose top windows peak on the digits of document numbers ("C5-0270/2001") while most of
        // its reservoir peaks on Greek letters (the feature drifted: issue 13's feature 2191)
        List<FeatureWindow> top = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String[] tokens = {" document", " C", "5", "-", i % 2 == 0 ? "02" : "03", "70", "/", "2001", " of", " the"};
            float[] acts = new float[tokens.length];
            acts[4] = 9f - i * 0.01f;
            acts[5] = 4f;
            top.add(new FeatureWindow("num" + i, 4, 0, tokens, acts));
        }
        List<FeatureWindow> reservoir = new ArrayList<>(top.subList(40, 50));
        String[] greek = {"β", "α", "cie"};
        for (int i = 0; i < 190; i++) {
            String[] tokens = {" το", " " + greek[i % 3], "ς", " και", " η"};
            float[] acts = new float[tokens.length];
            acts[1] = 1f + (i % 50) * 0.01f;
            reservoir.add(new FeatureWindow("gr" + i, 1, 0, tokens, acts));
        }
        FeatureState state =
                new FeatureState("test-sae", 2191, 5, 100_000, 240, 240, 240, 500, 9f, null, top, reservoir, 0);

        // when explained
        Explained e = explain(state, background);

        // then the explainer was shown almost as many Greek peaks as digit peaks (Greek letters, never in the
        // background, stand out more against it than digits do), yet names only the digits
        long greekShown = peakingOn(e.examples(), Set.of(greek));
        assertThat(greekShown)
                .as("Greek peaks among %d examples", e.examples().size())
                .isGreaterThanOrEqualTo(e.examples().size() * 4 / 10);
        String topText = String.join(
                "\n", top.stream().map(w -> String.join("", w.tokens())).toList());
        assertThat(e.quoted()).isNotEmpty().allMatch(topText::contains);
        assertThat(e.quoted().subList(0, 2)).containsExactly("02", "03");
        assertThat(e.text())
                .startsWith("Fires on ")
                .contains(e.coverage("02", "03"))
                .contains("mostly digits")
                .doesNotContain("β")
                .doesNotContain("α")
                .doesNotContain("cie");
    }

    @Test
    void aFeatureOnManyDifferentRareTokensNamesOnlyTokensItsTopWindowsPeakOn() {
        // given a feature on every number, each number rare
        Explained numbers = explain(catalog.state(12, 1), background);
        // then whatever it names are numbers the top windows peak on, and it says they are digits
        Set<String> topPeaks = new HashSet<>();
        numbers.top().forEach(w -> topPeaks.add(peak(w)));
        List<String> named = numbers.quoted();
        assertThat(named).isNotEmpty();
        assertThat(named.get(0)).matches("\\d+");
        assertThat(topPeaks).contains(named.get(0).toLowerCase(Locale.ROOT));
        assertThat(numbers.text()).contains("mostly digits");
    }

    @Test
    void withoutABackgroundTheCommonestPeakTokensAreNamed() {
        Explained council = explain(catalog.state(2, 1), new BackgroundIndex());
        assertThat(council.text()).startsWith("Fires on \"Council\" " + council.coverage("council"));
        assertThat(peakingOn(council.examples(), Set.of("council")))
                .isEqualTo(council.examples().size());
    }

    @Test
    void aFacetValueHoldingMostActivationsIsNamedWithItsShareOfTheText() {
        // the background: one window in ten from a Swedish document, the rest English
        BackgroundIndex mixed = new BackgroundIndex();
        List<BackgroundWindow> windows = catalog.background(400, 11);
        for (int i = 0; i < windows.size(); i++) {
            BackgroundWindow w = windows.get(i).withFacet(i % 10 == 0 ? "sv" : "en");
            mixed.put(w.id(), w);
        }
        FeatureState state = catalog.state(3, 1);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("sv", 97L);
        counts.put("en", 2L);
        counts.put("other", 1L);
        FeatureState swedish = withFacet(state, new FeatureState.Facet("lang", counts));
        assertThat(explain(swedish, mixed).text())
                .endsWith("; in Swedish documents (97% of activations, 10% of the text).");
        // with no background to compare with, the share alone
        assertThat(explain(swedish, new BackgroundIndex()).text())
                .endsWith("; in Swedish documents (97% of activations).");
        counts.put("sv", 70L);
        counts.put("en", 29L);
        assertThat(explain(withFacet(state, new FeatureState.Facet("lang", counts)), mixed)
                        .text())
                .doesNotContain("documents (");
        assertThat(OfflineExplainer.describe("source", "crm")).isEqualTo("where source is \"crm\"");
    }

    @Test
    void aFacetValueNoCommonerUnderTheFeatureThanInTheTextIsNotNamed() {
        // a corpus of one language: every feature's activations are all in it
        BackgroundIndex english = new BackgroundIndex();
        catalog.background(400, 11).forEach(w -> english.put(w.id(), w.withFacet("en")));
        FeatureState allEnglish = withFacet(catalog.state(3, 1), new FeatureState.Facet("lang", Map.of("en", 120L)));
        assertThat(explain(allEnglish, english).text())
                .doesNotContain("English")
                .doesNotContain("documents (");
        // 95% of the feature against 70% of the text: under 1.5 times, not named either
        BackgroundIndex mostlyEnglish = new BackgroundIndex();
        List<BackgroundWindow> windows = catalog.background(400, 11);
        for (int i = 0; i < windows.size(); i++) {
            BackgroundWindow w = windows.get(i).withFacet(i % 10 < 7 ? "en" : "sv");
            mostlyEnglish.put(w.id(), w);
        }
        FeatureState mostly =
                withFacet(catalog.state(3, 1), new FeatureState.Facet("lang", Map.of("en", 95L, "sv", 5L)));
        assertThat(explain(mostly, mostlyEnglish).text()).doesNotContain("documents (");
        assertThat(mostlyEnglish.facetShare("test-sae", "en")).isEqualTo(0.7);
        assertThat(mostlyEnglish.facetShare("test-sae", "de")).isZero();
        assertThat(new BackgroundIndex().facetShare("test-sae", "en")).isNaN();
    }

    @Test
    void documentsWithoutTheFieldOrOfAnUndeterminedLanguageAreNotNamed() {
        FeatureState state = catalog.state(3, 1);
        for (String value : List.of("none", "und", "other")) {
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put(value, 95L);
            counts.put("en", 5L);
            assertThat(explain(withFacet(state, new FeatureState.Facet("lang", counts)), background)
                            .text())
                    .as(value)
                    .doesNotContain("documents (")
                    .doesNotContain(value);
        }
    }

    @Test
    void tokenClassesAndWordsAreReadFromDisplayPieces() {
        String[] pieces = {" The", " effic", "ient", " 20", "01", ",", " Mr"};
        assertThat(OfflineExplainer.TokenClass.of(pieces, 0)).isEqualTo(OfflineExplainer.TokenClass.CAPITALISED);
        assertThat(OfflineExplainer.TokenClass.of(pieces, 1)).isEqualTo(OfflineExplainer.TokenClass.WORD);
        assertThat(OfflineExplainer.TokenClass.of(pieces, 2)).isEqualTo(OfflineExplainer.TokenClass.CONTINUATION);
        assertThat(OfflineExplainer.TokenClass.of(pieces, 4)).isEqualTo(OfflineExplainer.TokenClass.DIGITS);
        assertThat(OfflineExplainer.TokenClass.of(pieces, 5)).isEqualTo(OfflineExplainer.TokenClass.PUNCTUATION);
        assertThat(OfflineExplainer.word(pieces, 2)).isEqualTo("efficient");
        assertThat(OfflineExplainer.word(pieces, 1)).isEqualTo("efficient");
        assertThat(OfflineExplainer.word(pieces, 3)).isEqualTo("2001");
        assertThat(OfflineExplainer.word(pieces, 6)).isEqualTo("Mr");
    }

    @Test
    void logOddsZMatchesHandComputation() {
        // 30 of 40 firing tokens, never in 10,000 background tokens: α = 100·30/10040 (see the class comment)
        assertThat(OfflineExplainer.z(30, 40, 0, 10_000)).isCloseTo(4.972602531863012, within(1e-12));
        // the same share in both (7/133 = 505/9595): no evidence either way
        assertThat(OfflineExplainer.z(2, 40, 500, 10_000)).isCloseTo(0.0, within(1e-12));
    }

    private static FeatureState withFacet(FeatureState s, FeatureState.Facet facet) {
        return new FeatureState(
                s.saeId(),
                s.index(),
                s.version(),
                s.tokensSeen(),
                s.activations(),
                s.documents(),
                s.windows(),
                s.sum(),
                s.max(),
                s.histogram(),
                s.top(),
                s.reservoir(),
                s.updatedMs(),
                facet);
    }
}
