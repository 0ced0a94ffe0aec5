package dev.saestream.catalog;

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
        MinFloatHeap[] top = new MinFloatHeap[0];
        MaxKeyHeap[] reservoir = new MaxKeyHeap[0];
        final MaxKeyHeap background = new MaxKeyHeap(backgroundSize);

        void grow(int feature) {
            if (feature >= top.length) {
                int n = Math.max(feature + 1, top.length * 2);
                top = Arrays.copyOf(top, n);
                reservoir = Arrays.copyOf(reservoir, n);
            }
            if (top[feature] == null) {
                top[feature] = new MinFloatHeap(topK);
                reservoir[feature] = new MaxKeyHeap(reservoirSize);
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
        boolean top = s.top[feature].offer(value);
        boolean res = s.reservoir[feature].offer(sampleKey);
        return top || res;
    }

    boolean admitBackground(String saeId, long sampleKey) {
        return sae(saeId).background.offer(sampleKey);
    }

    /** The k largest values offered so far; offering one that ties the smallest kept is admitted (ties are decided downstream). */
    static final class MinFloatHeap {
        private final float[] heap;
        private int size;

        MinFloatHeap(int capacity) {
            heap = new float[capacity];
        }

        boolean offer(float v) {
            if (size < heap.length) {
                heap[size] = v;
                up(size++);
                return true;
            }
            if (v < heap[0]) {
                return false;
            }
            heap[0] = v;
            down();
            return true;
        }

        private void up(int i) {
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (heap[p] <= heap[i]) {
                    return;
                }
                float t = heap[p];
                heap[p] = heap[i];
                heap[i] = t;
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
                int c = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
                if (heap[i] <= heap[c]) {
                    return;
                }
                float t = heap[c];
                heap[c] = heap[i];
                heap[i] = t;
                i = c;
            }
        }
    }

    /** The k smallest sampling keys (unsigned) offered so far; a key equal to the largest kept is admitted. */
    static final class MaxKeyHeap {
        private final long[] heap;
        private int size;

        MaxKeyHeap(int capacity) {
            heap = new long[capacity];
        }

        boolean offer(long k) {
            if (size < heap.length) {
                heap[size] = k;
                up(size++);
                return true;
            }
            if (Long.compareUnsigned(k, heap[0]) > 0) {
                return false;
            }
            heap[0] = k;
            down();
            return true;
        }

        private void up(int i) {
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (Long.compareUnsigned(heap[p], heap[i]) >= 0) {
                    return;
                }
                long t = heap[p];
                heap[p] = heap[i];
                heap[i] = t;
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
                int c = l + 1 < size && Long.compareUnsigned(heap[l + 1], heap[l]) > 0 ? l + 1 : l;
                if (Long.compareUnsigned(heap[i], heap[c]) >= 0) {
                    return;
                }
                long t = heap[c];
                heap[c] = heap[i];
                heap[i] = t;
                i = c;
            }
        }
    }
}
