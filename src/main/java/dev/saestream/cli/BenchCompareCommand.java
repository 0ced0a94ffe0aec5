package dev.saestream.cli;

import dev.saestream.sae.Architecture;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeEncoders;
import dev.saestream.sae.SaeWeights;
import java.io.PrintWriter;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream bench compare}: the time to match two SAEs' features, at a width chosen by flag. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Time `compare` on two independent random SAEs (default 24,576 features over d_in 768 each).")
final class BenchCompareCommand implements Callable<Integer> {
    @Option(names = "--width", defaultValue = "24576", description = "features per SAE (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--d-in", defaultValue = "768", description = "activation width (default ${DEFAULT-VALUE})")
    int dIn;

    @Option(
            names = "--candidates",
            defaultValue = "8",
            description = "partners kept per feature (default ${DEFAULT-VALUE})")
    int candidates;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Sae a = random(1);
        Sae b = random(2);
        int threads = SaeEncoders.allThreads();
        long start = System.nanoTime();
        FeatureMatching.Result r = FeatureMatching.match(a, b, candidates, threads);
        double secs = (System.nanoTime() - start) / 1e9;
        double flops = 2.0 * width * width * dIn;
        w.printf(
                "compare %,d × %,d features, d_in %d, %d threads: %.1f s (%.1f GFLOP/s in the cosine product and the"
                        + " selection together); %,d pairs%n",
                width, width, dIn, threads, secs, flops / secs / 1e9, r.pairs().size());
        w.flush();
        return ExitCode.OK;
    }

    private Sae random(long seed) {
        SaeConfig c = SaeConfig.of(Architecture.TOPK, dIn, width, 32);
        SaeWeights weights = SaeWeights.zeros(c);
        Random rnd = new Random(seed);
        for (int i = 0; i < weights.wDec().length; i++) {
            weights.wDec()[i] = (float) rnd.nextGaussian();
        }
        return Sae.of(c, weights);
    }
}
