package dev.saestream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.formats.HalfFloat;
import dev.saestream.sae.SparseCode;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CodesFormatTest {
    /** The reference order: value descending by Float.compare, ties by index ascending. */
    static SparseCode referenceSort(int[] idx, float[] val) {
        Integer[] order = IntStream.range(0, idx.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(val[b], val[a]);
            return c != 0 ? c : Integer.compare(idx[a], idx[b]);
        });
        return new SparseCode(
                Arrays.stream(order).mapToInt(j -> idx[j]).toArray(),
                toFloats(Arrays.stream(order).map(j -> val[j]).toArray(Float[]::new)));
    }

    static float[] toFloats(Float[] boxed) {
        float[] out = new float[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    @Test
    void sortingByValueMatchesTheReferenceOnTiesSignsAndZeros() {
        Random rnd = new Random(5);
        float[] pool = {0f, -0f, 1f, -1f, 0.5f, 65504f, -65504f, Float.MIN_VALUE, -Float.MIN_VALUE, 3.25f, 1e-8f, 7f};
        for (int trial = 0; trial < 2_000; trial++) {
            int k = rnd.nextInt(40);
            int[] idx = rnd.ints(0, 1 << 30).distinct().limit(k).toArray();
            float[] val = new float[k];
            for (int j = 0; j < k; j++) {
                val[j] = rnd.nextBoolean() ? pool[rnd.nextInt(pool.length)] : (float) rnd.nextGaussian() * 10;
            }
            assertThat(CodesFormat.sortedByValue(idx, val))
                    .as("trial %d", trial)
                    .isEqualTo(referenceSort(idx, val));
        }
    }

    static DocumentCodes document(Random rnd, int n, CodesFormat.Precision precision) {
        String[] tokens = new String[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        SparseCode[] codes = new SparseCode[n];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            tokens[i] = i % 3 == 0 ? "é" + i : "tok" + i;
            text.append(i % 4 == 0 ? "  " : " ");
            starts[i] = text.length();
            text.append(tokens[i]);
            ends[i] = text.length();
            int k = rnd.nextInt(9);
            int[] idx = rnd.ints(0, 24_576).distinct().limit(k).toArray();
            float[] val = new float[k];
            for (int j = 0; j < k; j++) {
                val[j] = (float) Math.abs(rnd.nextGaussian()) * 3 + 1e-3f;
            }
            codes[i] = CodesFormat.round(CodesFormat.sortedByValue(idx, val), precision, null);
        }
        text.append(" tail");
        return DocumentCodes.of(
                "model/hook/sae",
                "doc-" + n,
                text.toString(),
                tokens,
                starts,
                ends,
                codes,
                new ReconstructionStats(n, 1.5, 20.25, n * 0.75, 1));
    }

    @Test
    void documentsReadBackAsWrittenAtBothPrecisions() {
        Random rnd = new Random(11);
        for (CodesFormat.Precision precision : CodesFormat.Precision.values()) {
            for (int n : new int[] {0, 1, 7, 300}) {
                DocumentCodes d = document(rnd, n, precision);
                DocumentCodes back = CodesFormat.read(CodesFormat.write(d, precision));
                assertThat(back.saeId()).isEqualTo(d.saeId());
                assertThat(back.docId()).isEqualTo(d.docId());
                assertThat(back.tokens()).containsExactly(d.tokens());
                assertThat(back.pieces()).containsExactly(d.pieces());
                assertThat(back.gaps()).containsExactly(d.gaps());
                assertThat(back.tail()).isEqualTo(d.tail());
                assertThat(back.codes()).as("%s, %d tokens", precision, n).containsExactly(d.codes());
                assertThat(back.stats()).isEqualTo(d.stats());
            }
        }
    }

    @Test
    void halfPrecisionRoundsClampsAndDropsZeros() {
        int[] clamped = new int[1];
        SparseCode c = CodesFormat.round(
                new SparseCode(new int[] {4, 9, 2, 7}, new float[] {1e6f, 0.1f, 1e-9f, -7e5f}),
                CodesFormat.Precision.HALF,
                clamped);
        assertThat(clamped[0]).isEqualTo(2);
        assertThat(c.indices()).containsExactly(4, 9, 7);
        assertThat(c.values()).containsExactly(65504f, HalfFloat.toFloat(HalfFloat.fromFloat(0.1f)), -65504f);
    }

    @Test
    void damagedRecordsAreRefusedNotMisread() {
        byte[] bytes =
                CodesFormat.write(document(new Random(3), 12, CodesFormat.Precision.HALF), CodesFormat.Precision.HALF);
        assertThatThrownBy(() -> CodesFormat.read(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(RuntimeException.class);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertThatThrownBy(() -> CodesFormat.read(longer)).hasMessageContaining("trailing bytes");
        byte[] foreign = bytes.clone();
        foreign[0] ^= 0x55;
        assertThatThrownBy(() -> CodesFormat.read(foreign)).isInstanceOf(IllegalArgumentException.class);
        SparseCode twice = new SparseCode(new int[] {3, 3}, new float[] {1f, 2f});
        DocumentCodes bad = DocumentCodes.of(
                "s", "d", "a", new String[] {"a"}, new int[] {0}, new int[] {1}, new SparseCode[] {twice}, null);
        assertThatThrownBy(() -> CodesFormat.write(bad, CodesFormat.Precision.FLOAT))
                .hasMessageContaining("appears twice");
    }

    @Test
    void featureIndicesPastTheBoundAreRefused() {
        for (int last : new int[] {CodesFormat.MAX_FEATURES - 1, CodesFormat.MAX_FEATURES, Integer.MAX_VALUE}) {
            SparseCode c = CodesFormat.sortedByValue(new int[] {5, last}, new float[] {1f, 2f});
            DocumentCodes d = DocumentCodes.of(
                    "s", "d", "a", new String[] {"a"}, new int[] {0}, new int[] {1}, new SparseCode[] {c}, null);
            byte[] bytes = CodesFormat.write(d, CodesFormat.Precision.FLOAT);
            if (last < CodesFormat.MAX_FEATURES) {
                assertThat(CodesFormat.read(bytes).codes()[0].indices()).containsExactlyInAnyOrder(5, last);
            } else {
                assertThatThrownBy(() -> CodesFormat.read(bytes))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("feature index " + last + " out of range");
            }
        }
    }

    @Test
    void aFacetRoundTripsAndARecordWithoutOneReadsAsBefore() {
        DocumentCodes plain = DocumentCodes.of(
                "sae/x",
                "d1",
                "Hej du",
                new String[] {"hej", "du"},
                new int[] {0, 4},
                new int[] {3, 6},
                new SparseCode[] {
                    new SparseCode(new int[] {3}, new float[] {1.5f}), new SparseCode(new int[0], new float[0])
                },
                null);
        DocumentCodes swedish = plain.withFacet("lang", "sv");

        assertThat(CodesFormat.read(CodesFormat.write(swedish, CodesFormat.Precision.HALF)))
                .isEqualTo(swedish);
        assertThat(CodesFormat.read(CodesFormat.write(plain, CodesFormat.Precision.FLOAT)))
                .isEqualTo(plain);
        // a field without a value is not written: the record is the plain one, byte for byte
        assertThat(CodesFormat.write(plain.withFacet("lang", null), CodesFormat.Precision.HALF))
                .isEqualTo(CodesFormat.write(plain, CodesFormat.Precision.HALF));
        assertThat(CodesFormat.write(swedish, CodesFormat.Precision.HALF).length)
                .isEqualTo(CodesFormat.write(plain, CodesFormat.Precision.HALF).length
                        + "lang".length()
                        + "sv".length()
                        + 2);
    }
}
