package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.encode.CodesFile;
import dev.saestream.encode.CodesFormat;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.encode.ReconstructionStats;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.kafka.Topics;
import dev.saestream.sae.SparseCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench catalog}'s core on 20 synthetic documents: its figures agree with what was fed in. No timings checked. */
class CatalogBenchTest {
    @TempDir
    Path tmp;

    @Test
    void aYoungBacklogIsCountedFromTheBrokerAndTheCatalog() throws Exception {
        // given: 20 documents of codes, kept in a codes file and read back as the command does
        List<CodesFile.Entry> entries = new ArrayList<>();
        Random rnd = new Random(7);
        long tokens = 0;
        for (int d = 0; d < 20; d++) {
            DocumentCodes doc = document("doc-" + d, 40 + rnd.nextInt(40), rnd);
            tokens += doc.size();
            entries.add(
                    new CodesFile.Entry(doc.docId(), doc.size(), CodesFormat.write(doc, CodesFormat.Precision.HALF)));
        }
        Path file = tmp.resolve("codes.bin");
        CodesFile.write(file, entries);
        List<CodesFile.Entry> read = CodesFile.read(file);
        // short intervals: the catalog settles in about a second rather than ten
        CatalogConfig config = CatalogConfig.defaults().withIntervals(300, 200).withEmission(0, 1_000, 1.0, 0.5);

        // when
        CatalogBench.Figures f = CatalogBench.run(
                CatalogBench.Scenario.YOUNG_BACKLOG,
                1,
                List.of(),
                read,
                4000,
                config,
                new ClusterConfig(null, "topics", 0, Map.of()),
                tmp.resolve("run"),
                line -> {});

        // then
        assertThat(f.tokens()).isEqualTo(tokens);
        assertThat(f.documents()).isEqualTo(20);
        assertThat(f.shardRecords()).isEqualTo(20L * f.shards());
        assertThat(f.changelogs().records()).isPositive();
        assertThat(f.changelogs().payloadBytes()).isPositive();
        assertThat(f.changelogs().diskBytes()).isPositive();
        assertThat(f.outputs()).contains(Topics.FEATURES).doesNotContain(Topics.CODES);
        assertThat(f.written().get(Topics.FEATURES).records()).isPositive();
        assertThat(f.catalogCpu()).isPositive();
        StringWriter printed = new StringWriter();
        BenchCatalogCommand.print(new PrintWriter(printed), f);
        assertThat(printed.toString()).contains("repartition", "changelogs", Topics.FEATURES);
    }

    /** A document of {@code n} tokens, each with 32 features drawn from 3,072. */
    private static DocumentCodes document(String id, int n, Random rnd) {
        String[] tokens = new String[n];
        String[] pieces = new String[n];
        int[] gaps = new int[n];
        SparseCode[] codes = new SparseCode[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = "w" + rnd.nextInt(50);
            pieces[i] = " " + tokens[i];
            gaps[i] = 1;
            int[] idx = rnd.ints(0, 3072).distinct().limit(32).toArray();
            float[] val = new float[32];
            for (int j = 0; j < 32; j++) {
                val[j] = 4f - j * 0.125f;
            }
            codes[i] = new SparseCode(idx, val);
        }
        return new DocumentCodes(
                "bench/sae", id, tokens, pieces, gaps, "", codes, new ReconstructionStats(n, 1, 2, n, 0));
    }
}
