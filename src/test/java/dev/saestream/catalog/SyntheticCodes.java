package dev.saestream.catalog;

import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.encode.ReconstructionStats;
import dev.saestream.sae.SparseCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded synthetic documents with SAE codes: words from a small vocabulary, each word tied to a
 * few features (so features fire in recognisable contexts), plus random background features.
 * Values are half floats on a coarse grid, so ties in activation are common and tie-breaking is
 * exercised.
 */
final class SyntheticCodes {
    static final String SAE = "synthetic/layer0/topk-64";
    private static final String[] WORDS = {
        "the",
        "parliament",
        "commission",
        "vote",
        "budget",
        "report",
        "member",
        "state",
        "agreement",
        "council",
        "policy",
        "europe",
        "citizens",
        "rights",
        "market",
        "energy",
        "water",
        "fish"
    };

    private SyntheticCodes() {}

    static List<DocumentCodes> documents(long seed, int count, int dSae, int k) {
        Random rnd = new Random(seed);
        List<DocumentCodes> docs = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            int n = 1 + rnd.nextInt(120);
            String[] tokens = new String[n];
            String[] pieces = new String[n];
            int[] gaps = new int[n];
            SparseCode[] codes = new SparseCode[n];
            for (int i = 0; i < n; i++) {
                int w = rnd.nextInt(WORDS.length);
                tokens[i] = WORDS[w];
                pieces[i] = (i == 0 ? "" : " ") + WORDS[w];
                gaps[i] = i == 0 ? 0 : 1;
                int active = rnd.nextInt(k + 1);
                int[] idx = new int[active];
                float[] val = new float[active];
                java.util.Set<Integer> used = new java.util.HashSet<>();
                for (int j = 0; j < active; j++) {
                    // half of the features are tied to the word, the rest random
                    int f = j % 2 == 0 ? (w * 7 + j) % dSae : rnd.nextInt(dSae);
                    while (!used.add(f)) {
                        f = rnd.nextInt(dSae);
                    }
                    idx[j] = f;
                    val[j] = (1 + rnd.nextInt(16)) * 0.25f + (f % 3 == 0 ? 0.125f * rnd.nextInt(3) : 0f);
                }
                codes[i] = CodesFormat.round(new SparseCode(idx, val), CodesFormat.Precision.HALF, null);
            }
            String id = "doc-" + String.format("%04d", d) + (d % 5 == 0 ? "-é" : "");
            docs.add(new DocumentCodes(
                    SAE,
                    id,
                    tokens,
                    pieces,
                    gaps,
                    "",
                    codes,
                    new ReconstructionStats(n, rnd.nextDouble(), 1 + rnd.nextDouble(), n * 0.9, 0)));
        }
        return docs;
    }

    static int pairs(List<DocumentCodes> docs) {
        return docs.stream()
                .mapToInt(
                        d -> Arrays.stream(d.codes()).mapToInt(SparseCode::size).sum())
                .sum();
    }
}
