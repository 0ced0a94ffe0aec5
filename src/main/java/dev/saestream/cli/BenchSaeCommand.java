package dev.saestream.cli;

import dev.saestream.bench.SaeBench;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.OnnxSaeEncoder;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEncoder;
import dev.saestream.sae.SaeEncoders;
import dev.saestream.sae.SaeTrainer;
import dev.saestream.sae.TrainConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream bench sae}: encode throughput of every encoder, on one thread and on all, for
 * a MiniLM-sized and a GPT-2-small-sized TopK SAE, each checked against the reference; then
 * training throughput.
 */
@Command(
        name = "sae",
        mixinStandardHelpOptions = true,
        description = "Encode tokens/s and GFLOP/s per encoder (1 thread and all), for d_in 384 / d_sae 3072 / k 32"
                + " and 768 / 24576 / k 32, and training tokens/s.")
public final class BenchSaeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--seconds",
            defaultValue = "3",
            description = "measuring time per encoder (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rows", defaultValue = "1024", description = "tokens per encode call (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--small-only", description = "skip the GPT-2-small-sized SAE")
    boolean smallOnly;

    @Option(
            names = "--train-tokens",
            defaultValue = "32768",
            description = "tokens for the training measurement (default ${DEFAULT-VALUE})")
    long trainTokens;

    @Option(
            names = "--sae",
            paramLabel = "DIR",
            description =
                    "measure this SAE (a SAELens directory) on random inputs of its width, instead of the random TopK SAEs;"
                            + " no training measurement")
    java.nio.file.Path saeDir;

    @Override
    public Integer call() throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        int all = SaeEncoders.allThreads();
        out.printf(
                "saestream bench sae: %d cores, %s %s, %d-token batches, %.1f s per encoder%n",
                all, System.getProperty("java.vm.name"), System.getProperty("java.version"), rows, seconds);
        if (saeDir != null) {
            Sae sae = Sae.load(saeDir);
            out.printf("%nSAE %s (%s)%n", sae.id(), saeDir);
            encode(sae, all);
            return ExitCode.OK;
        }
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {384, 3072, 32}));
        if (!smallOnly) {
            shapes.add(new int[] {768, 24576, 32});
        }
        for (int[] s : shapes) {
            encode(s[0], s[1], s[2], all);
        }
        train(all);
        return ExitCode.OK;
    }

    private void encode(int dIn, int dSae, int k, int all) {
        encode(SaeBench.randomTopK(dIn, dSae, k, 1), all);
    }

    private void encode(Sae sae, int all) {
        PrintWriter out = spec.commandLine().getOut();
        int dIn = sae.config().dIn();
        int dSae = sae.config().dSae();
        float[] x = SaeBench.randomInput(rows, dIn, 2);
        out.printf(
                "%nencode: %s, d_in %d, d_sae %d%s (%.2f MFLOP/token)%n",
                sae.config().architecture().cfgName(),
                dIn,
                dSae,
                sae.config().k() > 0 ? ", k " + sae.config().k() : "",
                2.0 * dIn * dSae / 1e6);
        out.printf(
                "  %-22s %12s %9s %10s %12s %9s%n",
                "encoder", "tokens/s", "GFLOP/s", "x reference", "max rel err", "rows diff");
        List<Supplier<SaeEncoder>> encoders = new ArrayList<>();
        encoders.add(() -> SaeEncoders.reference(sae));
        encoders.add(() -> SaeEncoders.blocked(sae, 1));
        encoders.add(() -> SaeEncoders.onnx(sae, 1, OnnxSaeEncoder.DEFAULT_K_MAX));
        if (all > 1) {
            encoders.add(() -> SaeEncoders.blocked(sae, all));
            encoders.add(() -> SaeEncoders.onnx(sae, all, OnnxSaeEncoder.DEFAULT_K_MAX));
        }
        double reference = 0;
        for (Supplier<SaeEncoder> make : encoders) {
            try (SaeEncoder e = make.get()) {
                // the reference is slow: measure it on a short run of its own
                boolean ref = e.name().equals("java-reference");
                int n = ref ? Math.max(8, (int) Math.min(rows, 2e8 / ((double) dIn * dSae))) : rows;
                SaeBench.Result r = SaeBench.measure(
                        e, sae, java.util.Arrays.copyOf(x, n * dIn), n, ref ? Math.min(seconds, 2) : seconds);
                if (ref) {
                    reference = r.tokensPerSecond();
                }
                out.printf(
                        "  %-22s %,12.0f %9.1f %10.1f %12.1e %4d/%-4d%n",
                        r.encoder(),
                        r.tokensPerSecond(),
                        r.gflops(),
                        r.tokensPerSecond() / reference,
                        r.maxRelError(),
                        r.rowsDiffering(),
                        r.rowsChecked());
            }
        }
    }

    private void train(int all) {
        PrintWriter out = spec.commandLine().getOut();
        int dIn = 384;
        int rowsData = 16_384;
        float[] data = SaeBench.randomInput(rowsData, dIn, 5);
        out.printf("%ntrain: topk, d_in %d, d_sae 3072, k 32, batch 1024, %,d tokens%n", dIn, trainTokens);
        for (int threads : all > 1 ? new int[] {1, all} : new int[] {1}) {
            TrainConfig cfg = new TrainConfig(
                    Architecture.TOPK, 3072, 32, 0, 0, 1024, trainTokens, 1.0 / 32, 8192, 1, threads, 1024);
            SaeTrainer.Result r = SaeTrainer.train(data, rowsData, dIn, cfg, null, null);
            out.printf("  %d thread%s: %,.0f tokens/s%n", threads, threads == 1 ? " " : "s", r.tokensPerSecond());
        }
    }
}
