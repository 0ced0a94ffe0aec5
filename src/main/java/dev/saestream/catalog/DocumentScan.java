package dev.saestream.catalog;

import dev.saestream.encode.DocumentCodes;
import dev.saestream.sae.ByValueDescending;
import dev.saestream.sae.SparseCode;
import java.util.Arrays;

/**
 * Regroups one document's codes by feature: for each active feature its (position, value)
 * pairs in position order, its statistics, and its peaks. A peak is an activating token chosen
 * greedily by activation (ties: earlier first) at least one window length from every peak chosen
 * before, so a document's windows of a feature never overlap. Buffers are reused across documents.
 */
final class DocumentScan {
    private final CatalogConfig config;
    private int[] count = new int[0];
    private int[] start = new int[0];
    private int[] pairPos = new int[0];
    private float[] pairVal = new float[0];
    private int[] features = new int[0];
    private int featureCount;
    private DocumentCodes doc;

    DocumentScan(CatalogConfig config) {
        this.config = config;
    }

    /** Groups the document's pairs by feature (a counting sort: linear in the pairs). */
    void scan(DocumentCodes document) {
        this.doc = document;
        int maxFeature = -1;
        int pairs = 0;
        for (SparseCode c : document.codes()) {
            for (int f : c.indices()) {
                if (f < 0) {
                    throw new IllegalArgumentException(
                            "negative feature index " + f + " in document " + document.docId());
                }
                maxFeature = Math.max(maxFeature, f);
            }
            pairs += c.size();
        }
        if (count.length <= maxFeature) {
            count = new int[maxFeature + 1 + 1024];
            start = new int[count.length];
        } else {
            Arrays.fill(count, 0, maxFeature + 1, 0);
        }
        if (pairPos.length < pairs) {
            pairPos = new int[pairs * 2];
            pairVal = new float[pairs * 2];
        }
        featureCount = 0;
        for (SparseCode c : document.codes()) {
            for (int f : c.indices()) {
                if (count[f]++ == 0) {
                    featureCount++;
                }
            }
        }
        if (features.length < featureCount) {
            features = new int[featureCount * 2];
        }
        int at = 0;
        int fi = 0;
        for (int f = 0; f <= maxFeature; f++) {
            if (count[f] > 0) {
                features[fi++] = f;
                start[f] = at;
                at += count[f];
                count[f] = 0; // reused as a fill cursor below
            }
        }
        SparseCode[] codes = document.codes();
        for (int pos = 0; pos < codes.length; pos++) {
            SparseCode c = codes[pos];
            for (int j = 0; j < c.size(); j++) {
                int f = c.indices()[j];
                int slot = start[f] + count[f]++;
                pairPos[slot] = pos;
                pairVal[slot] = c.values()[j];
            }
        }
    }

    int featureCount() {
        return featureCount;
    }

    int feature(int i) {
        return features[i];
    }

    /** The document's contribution to feature number {@code i}, without candidate windows yet. */
    Stats stats(int i) {
        int f = features[i];
        int from = start[f];
        int n = count[f];
        long sum = 0;
        float max = Float.NEGATIVE_INFINITY;
        int[] binHits = new int[n];
        for (int j = 0; j < n; j++) {
            float v = pairVal[from + j];
            sum += FixedPoint.of(v);
            max = Math.max(max, v);
            binHits[j] = ActivationHistogram.bin(v);
        }
        Arrays.sort(binHits);
        int distinct = 0;
        for (int j = 0; j < n; j++) {
            if (j == 0 || binHits[j] != binHits[j - 1]) {
                distinct++;
            }
        }
        int[] bins = new int[distinct];
        int[] counts = new int[distinct];
        int b = -1;
        for (int j = 0; j < n; j++) {
            if (j == 0 || binHits[j] != binHits[j - 1]) {
                bins[++b] = binHits[j];
            }
            counts[b]++;
        }
        return new Stats(f, n, sum, max, bins, counts);
    }

    record Stats(int feature, int activations, long sumFixed, float max, int[] bins, int[] binCounts) {}

    /** Positions of feature number {@code i}'s peaks, in the order chosen (highest first). */
    int[] peaks(int i) {
        int f = features[i];
        int from = start[f];
        int n = count[f];
        long[] order = new long[n];
        for (int j = 0; j < n; j++) {
            order[j] = ByValueDescending.key(pairVal[from + j], pairPos[from + j]);
        }
        // activation descending, then position ascending
        Arrays.sort(order);
        int minGap = config.windowLength();
        int[] chosen = new int[n];
        int m = 0;
        for (int j = 0; j < n; j++) {
            int p = ByValueDescending.index(order[j]);
            boolean clear = true;
            for (int q = 0; q < m && clear; q++) {
                clear = Math.abs(chosen[q] - p) >= minGap;
            }
            if (clear) {
                chosen[m++] = p;
            }
        }
        return Arrays.copyOf(chosen, m);
    }

    /** Activation of feature number {@code i} at its peak {@code position}. */
    float valueAt(int i, int position) {
        int f = features[i];
        int k = Arrays.binarySearch(pairPos, start[f], start[f] + count[f], position);
        return k >= 0 ? pairVal[k] : 0f;
    }

    /** The window around {@code peak} for feature number {@code i}, clipped to the document. */
    WindowSpan window(int i, int peak) {
        int f = features[i];
        int first = Math.max(0, peak - config.before());
        int last = Math.min(doc.size() - 1, peak + config.after());
        int from = start[f];
        int to = from + count[f];
        int k = Arrays.binarySearch(pairPos, from, to, first);
        int lo = k >= 0 ? k : -k - 1;
        int hi = lo;
        while (hi < to && pairPos[hi] <= last) {
            hi++;
        }
        int[] offsets = new int[hi - lo];
        float[] values = new float[hi - lo];
        for (int j = lo; j < hi; j++) {
            offsets[j - lo] = pairPos[j] - first;
            values[j - lo] = pairVal[j];
        }
        return new WindowSpan(peak, first, last - first + 1, offsets, values);
    }

    /** Background windows: consecutive blocks of {@code backgroundLength} tokens; returns their first positions. */
    int[] backgroundStarts() {
        int len = config.backgroundLength();
        int blocks = (doc.size() + len - 1) / len;
        int[] starts = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            starts[b] = b * len;
        }
        return starts;
    }

    BackgroundWindow background(int first, String facet) {
        int last = Math.min(doc.size(), first + config.backgroundLength());
        return new BackgroundWindow(
                doc.saeId(),
                doc.docId(),
                first,
                Arrays.copyOfRange(doc.pieces(), first, last),
                Arrays.copyOfRange(doc.codes(), first, last),
                facet);
    }
}
