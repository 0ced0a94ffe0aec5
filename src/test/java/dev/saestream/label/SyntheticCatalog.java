package dev.saestream.label;

import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.corpus.Europarl;
import dev.saestream.sae.SparseCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A catalogue made up for tests: English Europarl documents cut into display pieces, and features
 * that fire on chosen words, with states and background windows built as the catalog stage
 * builds them (exact top-k, a uniform reservoir, windows of {@link #WINDOW} tokens around a peak).
 */
final class SyntheticCatalog {
    static final int WINDOW = 32;
    private static final Pattern PIECE = Pattern.compile("\\s*(?:\\w+|[^\\w\\s])", Pattern.UNICODE_CHARACTER_CLASS);

    record Doc(String id, String[] tokens) {}

    /** A feature firing on tokens {@code fires} accepts (normalised), at up to {@code strength}. */
    record Spec(int index, Predicate<String> fires, float strength) {
        static Spec words(int index, float strength, String... words) {
            Set<String> set = Set.of(words);
            return new Spec(index, set::contains, strength);
        }
    }

    final String saeId;
    final List<Doc> docs;
    final List<Spec> specs;

    SyntheticCatalog(String saeId, List<Doc> docs, List<Spec> specs) {
        this.saeId = saeId;
        this.docs = docs;
        this.specs = specs;
    }

    /** The first {@code n} Europarl documents that read as English, as display pieces. */
    static List<Doc> englishDocs(int n) {
        try (Stream<dev.saestream.corpus.Document> all = Europarl.documents(0)) {
            return all.filter(d -> count(d.text(), " the ") >= 4)
                    .limit(n)
                    .map(d -> new Doc(d.id(), pieces(d.text())))
                    .toList();
        }
    }

    static String[] pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECE.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out.toArray(String[]::new);
    }

    /** The usual test features: common Europarl words, and one too rare to label. */
    static List<Spec> standardSpecs() {
        return List.of(
                Spec.words(0, 9f, "parliament"),
                Spec.words(1, 7f, "commission"),
                Spec.words(2, 5f, "council"),
                Spec.words(3, 8f, "europe", "european"),
                Spec.words(4, 6f, "president"),
                Spec.words(5, 4f, "vote", "voted", "voting", "votes"),
                Spec.words(6, 5f, "member"),
                Spec.words(7, 6f, "rights"),
                Spec.words(8, 3f, "policy", "policies"),
                Spec.words(9, 5f, "countries", "country"),
                Spec.words(10, 4f, "report"),
                Spec.words(11, 6f, "union"),
                new Spec(12, t -> t.matches("\\d+"), 3f),
                Spec.words(13, 2f, "environment", "environmental"),
                Spec.words(14, 9f, "somalia"));
    }

    /** Activation of {@code spec} on token {@code pos} of {@code doc}: deterministic, in (0.4, 1]·strength. */
    float activation(Spec spec, Doc doc, int pos) {
        if (!spec.fires().test(TokenStats.normalise(doc.tokens()[pos]))) {
            return 0f;
        }
        long h = Hashing.mix(spec.index() * 7919L + pos, doc.id());
        double u = (h >>> 11) * 0x1.0p-53;
        return (float) (spec.strength() * (0.4 + 0.6 * u));
    }

    long tokensSeen(int fromDoc, int toDoc) {
        return docs.subList(fromDoc, toDoc).stream()
                .mapToLong(d -> d.tokens().length)
                .sum();
    }

    /** The state of feature {@code index} over documents [fromDoc, toDoc), as the catalog would emit it. */
    FeatureState state(int index, long version, int fromDoc, int toDoc, int topK, int reservoirSize) {
        Spec spec = specs.stream().filter(s -> s.index() == index).findFirst().orElseThrow();
        List<FeatureWindow> windows = new ArrayList<>();
        Set<String> docsFired = new HashSet<>();
        long[] hist = new long[ActivationHistogram.SIZE];
        double sum = 0;
        float max = 0;
        for (Doc d : docs.subList(fromDoc, toDoc)) {
            float[] acts = new float[d.tokens().length];
            for (int i = 0; i < acts.length; i++) {
                acts[i] = activation(spec, d, i);
            }
            for (int i = 0; i < acts.length; i++) {
                if (acts[i] > 0) {
                    int first = Math.max(0, Math.min(i - WINDOW / 2 + 1, acts.length - WINDOW));
                    int end = Math.min(acts.length, first + WINDOW);
                    windows.add(new FeatureWindow(
                            d.id(),
                            i,
                            first,
                            Arrays.copyOfRange(d.tokens(), first, end),
                            Arrays.copyOfRange(acts, first, end)));
                    docsFired.add(d.id());
                    hist[ActivationHistogram.bin(acts[i])]++;
                    sum += acts[i];
                    max = Math.max(max, acts[i]);
                }
            }
        }
        List<FeatureWindow> top = windows.stream()
                .sorted(FeatureWindow.BY_ACTIVATION_DESC)
                .limit(topK)
                .toList();
        List<FeatureWindow> reservoir = new ArrayList<>(windows);
        java.util.Collections.shuffle(reservoir, new Random(index * 31L + version));
        reservoir = reservoir.subList(0, Math.min(reservoirSize, reservoir.size()));
        return new FeatureState(
                saeId,
                index,
                version,
                tokensSeen(fromDoc, toDoc),
                windows.size(),
                docsFired.size(),
                windows.size(),
                sum,
                max,
                new ActivationHistogram(hist),
                top,
                reservoir,
                1_700_000_000_000L + version);
    }

    FeatureState state(int index, long version) {
        return state(index, version, 0, docs.size(), 50, 200);
    }

    /** {@code n} random windows of {@link #WINDOW} tokens with every token's sparse code. */
    List<BackgroundWindow> background(int n, long seed) {
        Random random = new Random(seed);
        List<BackgroundWindow> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        while (out.size() < n) {
            Doc d = docs.get(random.nextInt(docs.size()));
            if (d.tokens().length < WINDOW) {
                continue;
            }
            int first = random.nextInt(d.tokens().length - WINDOW + 1);
            if (!ids.add(d.id() + "#" + first)) {
                continue;
            }
            SparseCode[] codes = new SparseCode[WINDOW];
            for (int i = 0; i < WINDOW; i++) {
                int pos = first + i;
                List<float[]> active = new ArrayList<>();
                for (Spec s : specs) {
                    float a = activation(s, d, pos);
                    if (a > 0) {
                        active.add(new float[] {s.index(), a});
                    }
                }
                active.sort(Comparator.comparingDouble((float[] x) -> -x[1]).thenComparingDouble(x -> x[0]));
                int[] idx = new int[active.size()];
                float[] val = new float[active.size()];
                for (int k = 0; k < idx.length; k++) {
                    idx[k] = (int) active.get(k)[0];
                    val[k] = active.get(k)[1];
                }
                codes[i] = idx.length == 0 ? SparseCode.EMPTY : new SparseCode(idx, val);
            }
            out.add(new BackgroundWindow(
                    saeId, d.id(), first, Arrays.copyOfRange(d.tokens(), first, first + WINDOW), codes, null));
        }
        return out;
    }

    BackgroundIndex backgroundIndex(int n, long seed) {
        BackgroundIndex index = new BackgroundIndex();
        for (BackgroundWindow w : background(n, seed)) {
            index.put(w.id(), w);
        }
        return index;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return "SyntheticCatalog[" + saeId + ", " + docs.size() + " docs, features "
                + specs.stream().map(s -> Integer.toString(s.index())).collect(Collectors.joining(",")) + "]";
    }
}
