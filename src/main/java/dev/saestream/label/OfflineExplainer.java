package dev.saestream.label;

import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Explains a feature with no network, in one short sentence drawn from its current top windows:
 * the tokens it peaks on, the words they sit in, what comes right before and after them, the class
 * of token (digits, punctuation, capitalised words, pieces inside words) and, when the catalogue
 * keeps one, the metadata value most of its activations fall under (the facet, e.g. the language).
 *
 * <p>Faithful: only tokens that peak in the current top windows shown to it can be named, so a
 * label never describes examples that are no longer the feature's (the quantile samples from the
 * reservoir only say how far down the feature's range the same tokens go). Tokens are ranked by
 * log-odds against their background frequency with an informative Dirichlet prior (Monroe,
 * Colaresi and Quinn 2008, "Fightin' Words"): with y the firing counts, b the background counts
 * and the prior α_t = α0·(y_t + b_t)/(n_y + n_b),
 * δ_t = log((y_t+α_t)/(n_y+α0−y_t−α_t)) − log((b_t+α_t)/(n_b+α0−b_t−α_t)), z_t = δ_t / √(1/(y_t+α_t) + 1/(b_t+α_t)).
 * The prior keeps a token seen a few times from standing out on chance alone.
 */
public final class OfflineExplainer implements Explainer {
    public static final String METHOD = "top-window-context-v2";
    /** α0, the prior's weight in pseudo-counts. */
    static final double PRIOR_STRENGTH = 100;
    /** A token counts as firing at half its window's peak or more. */
    static final double FIRING_FRACTION = 0.5;

    static final int MAX_TOKENS = 3;
    /** Whole words named beside sub-word tokens. */
    static final int MAX_WORDS = 3;
    /** A token is characteristic when it peaks in at least this share of the top windows (and two of them). */
    static final double CHARACTERISTIC_SHARE = 0.1;
    /** A context token is named when it is next to the peak in at least this share of the top windows. */
    static final double CONTEXT_SHARE = 0.3;
    /** A token class is named when this share of the top windows' peaks is of it. */
    static final double CLASS_SHARE = 0.6;
    /** A facet value is named when this share of the activations is under it (and {@link #FACET_LIFT} holds). */
    static final double FACET_SHARE = 0.8;
    /**
     * A facet value is named only when its share of the activations is at least this many times its share of
     * the background sample: in a corpus of one language every feature is all of it, which says nothing.
     */
    static final double FACET_LIFT = 1.5;
    /** Values that say nothing about the documents: the rest, documents without the field, an undetermined language. */
    private static final java.util.Set<String> UNNAMED_FACET_VALUES = java.util.Set.of(
            FeatureState.Facet.OTHER, FeatureState.Facet.MISSING, dev.saestream.corpus.Languages.UNDETERMINED);

    private final BackgroundIndex background;

    public OfflineExplainer(BackgroundIndex background) {
        this.background = background;
    }

    @Override
    public Label.ExplainerInfo info() {
        return new Label.ExplainerInfo("offline", null, METHOD);
    }

    /** What a token looks like, as far as an explanation can say in a word. */
    enum TokenClass {
        DIGITS("digits"),
        PUNCTUATION("punctuation"),
        CAPITALISED("capitalised words"),
        CONTINUATION("pieces inside words"),
        WORD(null);

        final String phrase;

        TokenClass(String phrase) {
            this.phrase = phrase;
        }

        /** The class of piece {@code i} of {@code tokens} (display pieces: a new word starts with a space). */
        static TokenClass of(String[] tokens, int i) {
            String t = tokens[i];
            String s = t.strip();
            if (s.isEmpty() || s.codePoints().noneMatch(Character::isLetterOrDigit)) {
                return PUNCTUATION;
            }
            if (s.codePoints().allMatch(c -> Character.isDigit(c) || !Character.isLetter(c))
                    && s.codePoints().anyMatch(Character::isDigit)) {
                return DIGITS;
            }
            if (continues(tokens, i)) {
                return CONTINUATION;
            }
            return Character.isUpperCase(s.codePointAt(0)) ? CAPITALISED : WORD;
        }
    }

    /** True when piece {@code i} continues the word of the piece before it (no space between two letters or digits). */
    static boolean continues(String[] tokens, int i) {
        if (i == 0 || tokens[i].isEmpty() || Character.isWhitespace(tokens[i].charAt(0))) {
            return false;
        }
        String prev = tokens[i - 1];
        return !prev.isEmpty()
                && Character.isLetterOrDigit(prev.charAt(prev.length() - 1))
                && Character.isLetterOrDigit(tokens[i].charAt(0));
    }

    /** The whole word piece {@code i} is part of: the pieces joined across continuations, stripped. */
    static String word(String[] tokens, int i) {
        int from = i;
        while (from > 0 && continues(tokens, from)) {
            from--;
        }
        int to = i + 1;
        while (to < tokens.length && continues(tokens, to)) {
            to++;
        }
        StringBuilder sb = new StringBuilder();
        for (int j = from; j < to; j++) {
            sb.append(tokens[j]);
        }
        return sb.toString().strip();
    }

    @Override
    public Explanation explain(FeatureState state, List<FeatureWindow> examples, CostMeter meter) {
        if (examples.isEmpty()) {
            return Explanation.failed("no examples to explain from");
        }
        Set<String> topIds = new HashSet<>();
        state.top().forEach(w -> topIds.add(w.id()));
        if (examples.stream().noneMatch(w -> topIds.contains(w.id()))) {
            // every current top window sits on the scoring side of the split: the strongest examples shown stand in
            examples.stream()
                    .sorted(FeatureWindow.BY_ACTIVATION_DESC)
                    .limit(Math.max(1, examples.size() / 2))
                    .forEach(w -> topIds.add(w.id()));
        }
        List<FeatureWindow> top =
                examples.stream().filter(w -> topIds.contains(w.id())).toList();
        List<FeatureWindow> sampled =
                examples.stream().filter(w -> !topIds.contains(w.id())).toList();

        Counts peaks = new Counts();
        Counts firing = new Counts();
        Counts words = new Counts();
        Counts before = new Counts();
        Counts after = new Counts();
        Map<TokenClass, Integer> classes = new EnumMap<>(TokenClass.class);
        for (FeatureWindow w : top) {
            String[] tokens = w.tokens();
            int p = w.peak() - w.first();
            peaks.add(TokenStats.normalise(tokens[p]), tokens[p].strip(), true);
            classes.merge(TokenClass.of(tokens, p), 1, Integer::sum);
            String whole = word(tokens, p);
            words.add(whole.toLowerCase(Locale.ROOT), whole, true);
            int prev = neighbour(tokens, p, -1);
            if (prev >= 0) {
                before.add(TokenStats.normalise(tokens[prev]), tokens[prev].strip(), true);
            }
            int next = neighbour(tokens, p, 1);
            if (next >= 0) {
                after.add(TokenStats.normalise(tokens[next]), tokens[next].strip(), true);
            }
            Set<String> inThis = new HashSet<>();
            for (int i = 0; i < tokens.length; i++) {
                String norm = TokenStats.normalise(tokens[i]);
                if (!norm.isEmpty() && w.acts()[i] > 0 && w.acts()[i] >= FIRING_FRACTION * w.max()) {
                    firing.add(norm, tokens[i].strip(), inThis.add(norm));
                }
            }
        }
        TokenStats bg = background.tokens(state.saeId());
        int minTop = Math.max(Math.min(2, top.size()), (int) Math.ceil(CHARACTERISTIC_SHARE * top.size()));

        // named: tokens the top windows peak on often enough, strongest against the background first
        List<String> named = ranked(firing, bg).stream()
                .filter(s -> peaks.examples(s.token()) >= minTop)
                .filter(s -> s.z() >= Stats.Z95 || bg.total() == 0)
                .limit(MAX_TOKENS)
                .map(TokenScore::token)
                .toList();
        boolean varied = named.isEmpty();
        if (varied) {
            named = peaks.byCount().stream().limit(MAX_TOKENS).toList();
        }
        List<String> chosen = named;
        long coveredTop = top.stream().filter(w -> chosen.contains(peakOf(w))).count();
        long coveredSampled =
                sampled.stream().filter(w -> chosen.contains(peakOf(w))).count();

        StringBuilder sb = new StringBuilder();
        sb.append(varied ? "Fires on varied tokens, strongest on " : "Fires on ")
                .append(list(named, peaks));
        sb.append(" (the peak in ")
                .append(coveredTop)
                .append(" of ")
                .append(top.size())
                .append(" top examples");
        if (!sampled.isEmpty()) {
            sb.append(" and ")
                    .append(coveredSampled)
                    .append(" of ")
                    .append(sampled.size())
                    .append(" weaker ones");
        }
        sb.append(')');
        List<String> longer = words.byCount().stream()
                .filter(word -> words.examples(word) >= minTop && !chosen.contains(word))
                .limit(MAX_WORDS)
                .toList();
        if (!longer.isEmpty()) {
            sb.append(", in words such as ").append(list(longer, words));
        }
        String prev = context(before, bg, top.size());
        if (prev != null) {
            sb.append(", often right after ").append(quote(before.surface(prev)));
        }
        String next = context(after, bg, top.size());
        if (next != null) {
            sb.append(prev != null ? " and before " : ", often right before ").append(quote(after.surface(next)));
        }
        classes.entrySet().stream()
                .filter(e -> e.getKey().phrase != null && e.getValue() >= CLASS_SHARE * top.size())
                .findFirst()
                .ifPresent(e -> sb.append("; mostly ").append(e.getKey().phrase));
        String facet = facet(state, value -> background.facetShare(state.saeId(), value));
        if (facet != null) {
            sb.append("; ").append(facet);
        }
        return Explanation.of(sb.append('.').toString());
    }

    /**
     * "in Swedish documents (97% of activations, 8% of the text)" when one value of the catalogue's
     * facet holds at least {@link #FACET_SHARE} of the feature's activations and {@link #FACET_LIFT}
     * times its share of the background sample ({@code baseline}, NaN when there is none, and the value
     * is then named on its share alone); null otherwise or without a facet.
     */
    static String facet(FeatureState state, java.util.function.ToDoubleFunction<String> baseline) {
        FeatureState.Facet facet = state.facet();
        if (facet == null || facet.counts().isEmpty()) {
            return null;
        }
        long total = facet.counts().values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> e : facet.counts().entrySet()) {
            double share = e.getValue() / (double) total;
            if (UNNAMED_FACET_VALUES.contains(e.getKey()) || share < FACET_SHARE) {
                continue;
            }
            double base = baseline.applyAsDouble(e.getKey());
            if (Double.isNaN(base)) {
                return String.format(
                        Locale.ROOT, "%s (%.0f%% of activations)", describe(facet.field(), e.getKey()), 100 * share);
            }
            if (share < FACET_LIFT * base) {
                return null;
            }
            return String.format(
                    Locale.ROOT,
                    "%s (%.0f%% of activations, %.0f%% of the text)",
                    describe(facet.field(), e.getKey()),
                    100 * share,
                    100 * base);
        }
        return null;
    }

    /** "in Swedish documents" for the language facet, "where source is X" for any other field. */
    static String describe(String field, String value) {
        if ("lang".equals(field)) {
            String name = Locale.forLanguageTag(value).getDisplayLanguage(Locale.ENGLISH);
            return "in " + (name.isBlank() || name.equalsIgnoreCase(value) ? "'" + value + "'" : name) + " documents";
        }
        return "where " + field + " is " + quote(value);
    }

    /** The most common context token when it is next to the peak often enough and is no common word. */
    private static String context(Counts counts, TokenStats bg, int windows) {
        return ranked(counts, bg).stream()
                .filter(s -> s.z() >= Stats.Z95 || bg.total() == 0)
                .filter(s -> counts.examples(s.token()) >= CONTEXT_SHARE * windows)
                .map(TokenScore::token)
                .findFirst()
                .orElse(null);
    }

    private static String peakOf(FeatureWindow w) {
        return TokenStats.normalise(w.tokens()[w.peak() - w.first()]);
    }

    /** The nearest non-blank piece before ({@code step} -1) or after (+1) piece {@code i}; -1 when none. */
    private static int neighbour(String[] tokens, int i, int step) {
        for (int j = i + step; j >= 0 && j < tokens.length; j += step) {
            if (!TokenStats.normalise(tokens[j]).isEmpty()) {
                return j;
            }
        }
        return -1;
    }

    record TokenScore(String token, double z) {}

    /** Tokens by decreasing z against the background (by count when there is no background yet). */
    static List<TokenScore> ranked(Counts counts, TokenStats bg) {
        List<TokenScore> scores = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.counts.entrySet()) {
            scores.add(new TokenScore(
                    e.getKey(),
                    bg.total() == 0 ? e.getValue() : z(e.getValue(), counts.total, bg.count(e.getKey()), bg.total())));
        }
        scores.sort(Comparator.comparingDouble((TokenScore s) -> -s.z()).thenComparing(TokenScore::token));
        return scores;
    }

    /** Monroe et al.'s z for a token seen y times in n_y firing tokens and b times in n_b background tokens. */
    static double z(double y, double ny, double b, double nb) {
        double alpha = PRIOR_STRENGTH * (y + b) / (ny + nb);
        double delta = Math.log((y + alpha) / (ny + PRIOR_STRENGTH - y - alpha))
                - Math.log((b + alpha) / (nb + PRIOR_STRENGTH - b - alpha));
        return delta / Math.sqrt(1 / (y + alpha) + 1 / (b + alpha));
    }

    static String list(List<String> tokens, Counts counts) {
        List<String> quoted = tokens.stream().map(t -> quote(counts.surface(t))).toList();
        if (quoted.size() == 1) {
            return quoted.get(0);
        }
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " and " + quoted.get(quoted.size() - 1);
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    /** Counts of normalised tokens, the examples they occur in, and their commonest surface form. */
    static final class Counts {
        final Map<String, Integer> counts = new LinkedHashMap<>();
        final Map<String, Integer> examples = new HashMap<>();
        final Map<String, Map<String, Integer>> surfaces = new HashMap<>();
        int total;

        void add(String norm, String surface, boolean newInExample) {
            if (norm.isEmpty()) {
                return;
            }
            counts.merge(norm, 1, Integer::sum);
            if (newInExample) {
                examples.merge(norm, 1, Integer::sum);
            }
            surfaces.computeIfAbsent(norm, k -> new HashMap<>()).merge(surface, 1, Integer::sum);
            total++;
        }

        int count(String norm) {
            return counts.getOrDefault(norm, 0);
        }

        int examples(String norm) {
            return examples.getOrDefault(norm, 0);
        }

        String surface(String norm) {
            return surfaces.get(norm).entrySet().stream()
                    .max(Map.Entry.<String, Integer>comparingByValue()
                            .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                    .map(Map.Entry::getKey)
                    .orElse(norm);
        }

        List<String> byCount() {
            return counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue()
                            .reversed()
                            .thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey)
                    .toList();
        }
    }
}
