package dev.saestream.catalog;

import dev.saestream.encode.DocumentCodes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The brute-force reference: the catalogue computed in one batch pass over all documents, as
 * directly as possible, to hold the streaming topology to. Written independently of the
 * streaming code: no shared scanning, no heaps, no stores.
 */
public final class BatchCatalog {
    /** One feature's expected state. */
    public static final class Expected {
        long activations;
        long documents;
        BigDecimal sum = BigDecimal.ZERO;
        float max = Float.NEGATIVE_INFINITY;
        long[] histogram = new long[ActivationHistogram.SIZE];
        final List<FeatureWindow> windows = new ArrayList<>();
        final Map<FeatureWindow, Long> keys = new HashMap<>();
        long version;

        List<FeatureWindow> top(int k) {
            List<FeatureWindow> all = new ArrayList<>(windows);
            all.sort(Comparator.comparingDouble((FeatureWindow w) -> -w.max())
                    .thenComparing((a, b) -> compareCodePoints(a.doc(), b.doc()))
                    .thenComparingInt(FeatureWindow::peak));
            return all.subList(0, Math.min(k, all.size()));
        }

        List<FeatureWindow> reservoir(int k) {
            List<FeatureWindow> all = new ArrayList<>(windows);
            all.sort((a, b) -> {
                int c = Long.compareUnsigned(keys.get(a), keys.get(b));
                if (c != 0) {
                    return c;
                }
                c = compareCodePoints(a.doc(), b.doc());
                return c != 0 ? c : Integer.compare(a.peak(), b.peak());
            });
            return all.subList(0, Math.min(k, all.size()));
        }
    }

    static int compareCodePoints(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return Integer.compare(x.length, y.length);
    }

    final Map<Integer, Expected> features = new TreeMap<>();
    long tokens;
    long documents;
    final List<BackgroundWindow> backgroundAll = new ArrayList<>();
    final Map<BackgroundWindow, Long> backgroundKeys = new HashMap<>();

    /** The features that fired at least once, ascending. */
    public java.util.Set<Integer> featureIndexes() {
        return features.keySet();
    }

    public BatchCatalog(List<DocumentCodes> docs, CatalogConfig config) {
        for (DocumentCodes doc : docs) {
            documents++;
            tokens += doc.size();
            Map<Integer, Expected> touched = new HashMap<>();
            for (int pos = 0; pos < doc.size(); pos++) {
                for (int j = 0; j < doc.codes()[pos].size(); j++) {
                    int f = doc.codes()[pos].indices()[j];
                    float v = doc.codes()[pos].values()[j];
                    Expected e = features.computeIfAbsent(f, x -> new Expected());
                    touched.put(f, e);
                    e.activations++;
                    e.sum = e.sum.add(new BigDecimal(v));
                    e.max = Math.max(e.max, v);
                    e.histogram[ActivationHistogram.bin(v)]++;
                }
            }
            for (Map.Entry<Integer, Expected> t : touched.entrySet()) {
                int f = t.getKey();
                Expected e = t.getValue();
                e.documents++;
                e.version++;
                for (FeatureWindow w : peakWindows(doc, f, config)) {
                    e.windows.add(w);
                    e.keys.put(w, SampleKeys.key(config.seed(), doc.docId(), w.peak(), f));
                }
            }
            for (int first = 0; first < doc.size(); first += config.backgroundLength()) {
                int last = Math.min(doc.size(), first + config.backgroundLength());
                BackgroundWindow b = new BackgroundWindow(
                        doc.saeId(),
                        doc.docId(),
                        first,
                        java.util.Arrays.copyOfRange(doc.pieces(), first, last),
                        java.util.Arrays.copyOfRange(doc.codes(), first, last),
                        config.facet().equals(doc.facetField()) ? doc.facetValue() : null);
                backgroundAll.add(b);
                backgroundKeys.put(b, SampleKeys.key(config.seed(), doc.docId(), first, -1));
            }
        }
    }

    /** Greedy non-overlapping peaks, written the slow and obvious way. */
    static List<FeatureWindow> peakWindows(DocumentCodes doc, int f, CatalogConfig config) {
        float[] act = new float[doc.size()];
        List<Integer> positions = new ArrayList<>();
        for (int pos = 0; pos < doc.size(); pos++) {
            act[pos] = doc.codes()[pos].valueOf(f);
            if (act[pos] != 0f) {
                positions.add(pos);
            }
        }
        positions.sort((a, b) -> act[a] != act[b] ? Float.compare(act[b], act[a]) : Integer.compare(a, b));
        List<Integer> chosen = new ArrayList<>();
        for (int p : positions) {
            if (chosen.stream().allMatch(q -> Math.abs(q - p) > config.before() + config.after())) {
                chosen.add(p);
            }
        }
        List<FeatureWindow> out = new ArrayList<>();
        for (int p : chosen) {
            int first = Math.max(0, p - config.before());
            int last = Math.min(doc.size() - 1, p + config.after());
            String[] tokens = new String[last - first + 1];
            float[] acts = new float[last - first + 1];
            for (int i = first; i <= last; i++) {
                tokens[i - first] = doc.pieces()[i];
                acts[i - first] = act[i];
            }
            out.add(new FeatureWindow(doc.docId(), p, first, tokens, acts));
        }
        return out;
    }

    List<BackgroundWindow> background(int k) {
        List<BackgroundWindow> all = new ArrayList<>(backgroundAll);
        all.sort((a, b) -> Long.compareUnsigned(backgroundKeys.get(a), backgroundKeys.get(b)));
        return all.subList(0, Math.min(k, all.size()));
    }
}
