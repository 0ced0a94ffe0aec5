package dev.saestream.catalog;

import dev.saestream.sae.ByValueDescending;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-task filters that keep the repartition topic small: a window is forwarded only if it could
 * still enter its feature's top-k or reservoir, judged against what this task has already
 * forwarded. They are conservative: a window they drop is beaten by k distinct keys this task sent
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
        final SmallestKeys background = new SmallestKeys(backgroundSize, 0);

        void grow(int feature) {
            if (feature >= top.length) {
                int n = Math.max(feature + 1, top.length * 2);
                top = Arrays.copyOf(top, n);
                reservoir = Arrays.copyOf(reservoir, n);
            }
            if (top[feature] == null) {
                top[feature] = new SmallestKeys(topK, ACTIVATION_TIE_BITS);
                reservoir[feature] = new SmallestKeys(reservoirSize, 0);
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
        boolean top = s.top[feature].offer(activationKey(value, sampleKey));
        boolean res = s.reservoir[feature].offer(samplingKey(sampleKey));
        return top || res;
    }

    boolean admitBackground(String saeId, long sampleKey) {
        return sae(saeId).background.offer(samplingKey(sampleKey));
    }

    /**
     * The k smallest distinct keys offered so far (a max-heap of them). A key's low {@code tieBits}
     * bits tell windows of equal rank apart and do not rank them: a key that ties the largest kept on
     * the rest is admitted, and such ties are decided downstream, where the whole order is known.
     */
    static final class SmallestKeys {
        private final long[] heap;
        private final int tieBits;
        private int size;

        SmallestKeys(int capacity, int tieBits) {
            heap = new long[capacity];
            this.tieBits = tieBits;
        }

        /** True unless {@code k} ranks below k distinct keys kept; it joins them if it is among the smallest. */
        boolean offer(long k) {
            if (size == heap.length && k >> tieBits > heap[0] >> tieBits) {
                return false;
            }
            // A key kept already passes without being kept twice: a document encoded twice offers each of its
            // windows again, and copies must not fill the heap and turn away windows that rank below them only.
            for (int i = 0; i < size; i++) {
                if (heap[i] == k) {
                    return true;
                }
            }
            if (size < heap.length) {
                heap[size] = k;
                up(size++);
            } else if (k < heap[0]) {
                heap[0] = k;
                down();
            }
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

    /** The low bits of a top-k key: the window's sampling hash, which tells windows of equal activation apart. */
    static final int ACTIVATION_TIE_BITS = 32;

    /**
     * Larger activations give smaller keys, so the top-k values are the smallest keys; windows of
     * equal activation differ in the low {@link #ACTIVATION_TIE_BITS} bits, taken from their sampling key.
     */
    static long activationKey(float value, long sampleKey) {
        return ByValueDescending.key(value, (int) (sampleKey >>> 32));
    }

    /** Unsigned sampling keys in signed order. */
    static long samplingKey(long unsigned) {
        return unsigned ^ Long.MIN_VALUE;
    }
}
