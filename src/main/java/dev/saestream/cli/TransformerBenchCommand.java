package dev.saestream.cli;

import dev.saestream.bench.TransformerBench;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.Europarl;
import dev.saestream.model.ModelConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream bench transformer}: tokens/s of the transformer up to the hook, three ways, on Europarl. */
@Command(
        name = "transformer",
        mixinStandardHelpOptions = true,
        description = "Tokens/s up to the hook on Europarl text: the full graph with the hook exposed, the cut graph"
                + " (both bare ONNX Runtime runs), and the complete extraction path (tokenize, run, copy out).")
public final class TransformerBenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--docs",
            paramLabel = "N",
            defaultValue = "48",
            description = "Europarl documents to run (default 48).")
    int docs;

    @Option(
            names = "--batch-sizes",
            paramLabel = "N",
            split = ",",
            defaultValue = "1,8,32",
            description = "Batch sizes to measure (default 1,8,32).")
    int[] batchSizes;

    @Option(
            names = "--repeats",
            paramLabel = "N",
            defaultValue = "3",
            description = "Passes per figure; the best counts (default 3).")
    int repeats;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (docs <= 0 || repeats <= 0) {
            throw new IllegalArgumentException("--docs and --repeats must be positive");
        }
        ModelConfig config = model.config(configOption.settings());
        List<String> texts;
        try (Stream<Document> d = Europarl.documents(docs)) {
            texts = d.map(Document::text).toList();
        }
        List<TransformerBench.Row> rows;
        AtomicLong passes = new AtomicLong();
        try (Progress progress = Progress.start("bench", (long) batchSizes.length * 3 * repeats, "passes", null)) {
            rows = TransformerBench.run(config, texts, batchSizes, repeats, n -> progress.stepTo(passes.addAndGet(n)));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "model %s, hook %s, %d Europarl documents, %d threads, best of %d%n",
                config.dir() != null ? config.dir() : config.name(),
                config.hook(),
                texts.size(),
                config.threadCount(),
                repeats);
        out.printf("%-26s %6s %9s %10s%n", "variant", "batch", "tokens", "tokens/s");
        for (TransformerBench.Row r : rows) {
            out.printf("%-26s %6d %9d %10.0f%n", r.variant(), r.batchSize(), r.tokens(), r.tokensPerSecond());
        }
        if (rows.stream().anyMatch(r -> r.ranBatchSize() != r.batchSize())) {
            out.println("(this model quantizes activations per batch, so every variant ran one window at a time)");
        }
        out.println();
        out.printf("%6s %22s %26s%n", "batch", "cut / full (speed-up)", "extraction / cut (>= 0.9)");
        for (int b : batchSizes) {
            double full = speed(rows, TransformerBench.FULL, b);
            double cut = speed(rows, TransformerBench.CUT, b);
            double extract = speed(rows, TransformerBench.EXTRACT, b);
            out.printf("%6d %22.2f %26.2f%n", b, cut / full, extract / cut);
        }
        out.flush();
        return ExitCode.OK;
    }

    private static double speed(List<TransformerBench.Row> rows, String variant, int batchSize) {
        return rows.stream()
                .filter(r -> r.variant().equals(variant) && r.batchSize() == batchSize)
                .findFirst()
                .orElseThrow()
                .tokensPerSecond();
    }
}
