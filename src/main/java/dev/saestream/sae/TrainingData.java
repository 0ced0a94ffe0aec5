package dev.saestream.sae;

import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's rows in training order: in-memory data in reshuffled epochs, or a stream through
 * a shuffle buffer. Both are seeded, so a run is repeatable.
 */
abstract class TrainingData {
    final int d;

    TrainingData(int d) {
        this.d = d;
    }

    /** Up to {@code max} rows, row-major, for the initial statistics; does not change the training order. */
    abstract float[] sample(int max);

    /** Fills {@code dst} with {@code b} rows and returns how many; fewer only when the data has run out. */
    abstract int next(float[] dst, int b);

    /** Rows held in memory, visited in a new random order each epoch. */
    static final class InMemory extends TrainingData {
        private final float[] x;
        private final int rows;
        private final Random rnd;
        private int[] order;
        private int cursor;

        InMemory(float[] x, int rows, int d, long seed) {
            super(d);
            this.x = x;
            this.rows = rows;
            this.rnd = new Random(seed);
        }

        @Override
        float[] sample(int max) {
            int[] pick = permutation(rows, Math.min(rows, max), new Random(rnd.nextLong()));
            float[] out = new float[pick.length * d];
            for (int i = 0; i < pick.length; i++) {
                System.arraycopy(x, pick[i] * d, out, i * d, d);
            }
            return out;
        }

        @Override
        int next(float[] dst, int b) {
            for (int i = 0; i < b; i++) {
                if (order == null || cursor == rows) {
                    order = permutation(rows, rows, rnd);
                    cursor = 0;
                }
                System.arraycopy(x, order[cursor++] * d, dst, i * d, d);
            }
            return b;
        }

        /** The first {@code count} entries of a random permutation of 0..n-1 (partial Fisher–Yates). */
        private static int[] permutation(int n, int count, Random rnd) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            return count == n ? all : java.util.Arrays.copyOf(all, count);
        }
    }

    /**
     * A stream through a shuffle buffer: each row handed out is a random one of the buffer's
     * {@code capacity} rows, and the next row of the stream takes its place. Tokens of one
     * document arrive together, so this is what spreads them across batches (SAELens mixes its
     * activation store the same way).
     */
    static final class Shuffled extends TrainingData {
        private static final Logger log = LoggerFactory.getLogger(Shuffled.class);
        /** Rows read from the stream per call. */
        private static final int STAGE_ROWS = 256;

        private final ActivationStream stream;
        private final float[] buffer;
        private final float[] stage;
        private final Random rnd;
        private int filled;
        private int staged;
        private int stageAt;
        private long streamRows;
        private boolean ended;

        Shuffled(ActivationStream stream, int capacity, long seed) {
            super(stream.width());
            this.stream = stream;
            this.buffer = new float[Math.multiplyExact(capacity, d)];
            this.stage = new float[STAGE_ROWS * d];
            this.rnd = new Random(seed);
            log.info("filling a shuffle buffer of {} token activations", capacity);
            while (filled < capacity && pull(buffer, filled)) {
                filled++;
            }
            if (filled == 0) {
                throw new IllegalArgumentException("the activation stream is empty: there is nothing to train on");
            }
            log.debug("the shuffle buffer holds {} rows of {}", filled, capacity);
        }

        @Override
        float[] sample(int max) {
            int n = Math.min(filled, max);
            float[] out = new float[n * d];
            Random pick = new Random(rnd.nextLong());
            for (int i = 0; i < n; i++) {
                System.arraycopy(buffer, pick.nextInt(filled) * d, out, i * d, d);
            }
            return out;
        }

        @Override
        int next(float[] dst, int b) {
            for (int i = 0; i < b; i++) {
                if (filled == 0) {
                    return i;
                }
                int slot = rnd.nextInt(filled);
                System.arraycopy(buffer, slot * d, dst, i * d, d);
                if (!pull(buffer, slot)) {
                    // the stream is over: drain what is left
                    filled--;
                    System.arraycopy(buffer, filled * d, buffer, slot * d, d);
                }
            }
            return b;
        }

        /** Copies the stream's next row into {@code row} of {@code into}; false when the stream is over. */
        private boolean pull(float[] into, int row) {
            if (stageAt == staged) {
                if (ended) {
                    return false;
                }
                staged = stream.read(stage, STAGE_ROWS);
                stageAt = 0;
                if (staged == 0) {
                    ended = true;
                    return false;
                }
                checkFinite(staged);
            }
            System.arraycopy(stage, stageAt * d, into, row * d, d);
            stageAt++;
            return true;
        }

        private void checkFinite(int rows) {
            for (int i = 0; i < rows * d; i++) {
                if (!Float.isFinite(stage[i])) {
                    throw new IllegalArgumentException(
                            "activation row " + (streamRows + i / d) + " of the stream has a "
                                    + (Float.isNaN(stage[i]) ? "NaN" : "infinite") + " value in column " + i % d
                                    + "; refusing to train");
                }
            }
            streamRows += rows;
        }
    }
}
