package dev.saestream.catalog;

import dev.saestream.sae.ByValueDescending;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-task filters that keep the repartition topic small: a window is forwarded only if it could
 * still enter its feature's top-k or reservoir, judged against what this task has already
 * forwarded. They are conservative: a window they drop is beaten by k windows this task sent
 * before, so the shard that merges all tasks' windows never misses one. They live in memory and
 * start empty whenever the task (re)initialises, which only makes them forward more.
 */
final class LocalFilters {
    private final int topK;
    private final int reservoirSize;
    private final int backgroundSize;
    private final Map<String, PerSae> bySae = new HashMap<>();

    LocalFilters(int topK, int reservoirSize, int backgroundSize) {
        this.topK = topK;
        this.reservoirSize = reservoirSize;
        this.backgroundSize = backgroundSize;
    }

    private final class PerSae {
        SmallestKeys[] top = new SmallestKeys[0];
        SmallestKeys[] reservoir = new SmallestKeys[0];
        final SmallestKeys background = new SmallestKeys(backgroundSize);

        void grow(int feature) {
            if (feature >= top.length) {
                int n = Math.max(feature + 1, top.length * 2);
                top = Arrays.copyOf(top, n);
                reservoir = Arrays.copyOf(reservoir, n);
            }
            if (top[feature] == null) {
                top[feature] = new SmallestKeys(topK);
                reservoir[feature] = new SmallestKeys(reservoirSize);
            }
        }
    }

    private PerSae sae(String saeId) {
        return bySae.computeIfAbsent(saeId, s -> new PerSae());
    }

    /** True when the window must be forwarded; records it as forwarded. */
    boolean admitWindow(String saeId, int feature, float value, long sampleKey) {
        PerSae s = sae(saeId);
        s.grow(feature);
        boolean top = s.top[feature].offer(activationKey(value));
        boolean res = s.reservoir[feature].offer(samplingKey(sampleKey));
        return top || res;
    }

    boolean admitBackground(String saeId, long sampleKey) {
        return sae(saeId).background.offer(samplingKey(sampleKey));
    }

    /**
     * The k smallest keys offered so far (a max-heap of them). Offering a key equal to the largest
     * kept is admitted: ties are decided downstream, where the whole order is known.
     */
    static final class SmallestKeys {
        private final long[] heap;
        private int size;

        SmallestKeys(int capacity) {
            heap = new long[capacity];
        }

        /** True when {@code k} is among the smallest so far, which it then joins. */
        boolean offer(long k) {
            if (size < heap.length) {
                heap[size] = k;
                up(size++);
                return true;
            }
            if (k > heap[0]) {
                return false;
            }
            heap[0] = k;
            down();
            return true;
        }

        private void up(int i) {
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (heap[p] >= heap[i]) {
                    return;
                }
                swap(p, i);
                i = p;
            }
        }

        private void down() {
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    return;
                }
                int c = l + 1 < size && heap[l + 1] > heap[l] ? l + 1 : l;
                if (heap[i] >= heap[c]) {
                    return;
                }
                swap(c, i);
                i = c;
            }
        }

        private void swap(int a, int b) {
            long t = heap[a];
            heap[a] = heap[b];
            heap[b] = t;
        }
    }

    /** Larger activations give smaller keys, so the top-k values are the smallest keys. */
    static long activationKey(float value) {
        return ByValueDescending.rank(value);
    }

    /** Unsigned sampling keys in signed order. */
    static long samplingKey(long unsigned) {
        return unsigned ^ Long.MIN_VALUE;
    }
}
