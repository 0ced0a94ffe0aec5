package dev.saestream.cli;

import dev.saestream.formats.NpyArray;
import dev.saestream.sae.SaeProvenance;
import dev.saestream.sae.SaeTrainer;
import dev.saestream.sae.TrainConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code saestream sae train}: trains an SAE on an activations file and saves it as a SAELens directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a TopK (AuxK) or ReLU+L1 SAE on activations (acts.npy); saves a SAELens directory."
                + " Settings: defaults < the 'train' section of the config file < SAESTREAM_TRAIN_* variables < flags.")
public final class SaeTrainCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--acts", required = true, description = "training activations, a [tokens x d_in] float .npy")
    Path acts;

    @Option(names = "--out", required = true, description = "output SAE directory")
    Path out;

    @Option(names = "--architecture", description = "topk (default) or standard (ReLU + L1)")
    String architecture;

    @Option(names = "--width", description = "features, d_sae (default 3072)")
    Integer width;

    @Option(names = "--k", description = "active features per token for topk (default 32)")
    Integer k;

    @Option(names = "--l1", description = "L1 coefficient for standard (default 5)")
    Double l1;

    @Option(names = "--lr", description = "Adam learning rate (default 2e-4 / sqrt(width / 16384))")
    Double lr;

    @Option(names = "--batch-size", description = "tokens per step (default 1024)")
    Integer batchSize;

    @Option(names = "--tokens", description = "training tokens (default 2,000,000; data is revisited as needed)")
    Long tokens;

    @Option(names = "--aux-k", description = "AuxK loss coefficient (default 1/32)")
    Double auxK;

    @Option(names = "--dead-after", description = "tokens without firing after which a latent is dead (default 200,000)")
    Long deadAfter;

    @Option(names = "--seed", description = "random seed (default 42)")
    Long seed;

    @Option(names = "--threads", description = "threads (default: all cores)")
    Integer threads;

    @Option(names = "--model-name", description = "metadata: the model the activations come from")
    String modelName;

    @Option(names = "--hook-name", description = "metadata: the hook the activations come from")
    String hookName;

    @Option(names = "--context-size", description = "metadata: tokens per context")
    Integer contextSize;

    @Option(names = "--dataset", description = "metadata: the dataset the activations come from")
    String dataset;

    @Option(names = "--id", description = "explicit SAE id (default: model/layerN/arch-width)")
    String id;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> flags = new HashMap<>();
        flags.put("architecture", architecture);
        flags.put("width", width);
        flags.put("k", k);
        flags.put("l1Coefficient", l1);
        flags.put("learningRate", lr);
        flags.put("batchSize", batchSize);
        flags.put("tokens", tokens);
        flags.put("auxKCoefficient", auxK);
        flags.put("deadAfterTokens", deadAfter);
        flags.put("seed", seed);
        flags.put("threads", threads);
        TrainConfig cfg = config.settings().section("train", TrainConfig.defaults(), flags);
        NpyArray x = Activations.read(acts, 0, null);
        SaeProvenance source = new SaeProvenance(modelName, hookName, contextSize, dataset, id);
        long steps = (cfg.tokens() + cfg.batchSize() - 1) / cfg.batchSize();
        SaeTrainer.Result result;
        try (Progress bar = Progress.start("train", steps, "steps", null)) {
            result = SaeTrainer.train(x.floats(), x.rows(), x.cols(), cfg, source, s -> {
                bar.stepTo(s.step());
                bar.extra(String.format(" FVU %.4f  L0 %.1f  dead %.1f%%", s.fvu(), s.l0(), 100 * s.deadFraction()));
            });
        }
        result.sae().save(out);
        SaeTrainer.StepStats last = result.last();
        System.out.printf("trained %s (%s, d_in %d, d_sae %d%s) on %,d tokens from %,d rows in %.1f s (%,.0f tokens/s)%n",
                result.sae().id(), cfg.architecture(), x.cols(), cfg.width(), "topk".equals(cfg.architecture()) ? ", k " + cfg.k() : "",
                last.tokens(), x.rows(), result.seconds(), result.tokensPerSecond());
        System.out.printf("last batch: FVU %.4f, L0 %.2f, dead %.2f%%%n", last.fvu(), last.l0(), 100 * last.deadFraction());
        System.out.printf("saved %s%n", out);
        return ExitCode.OK;
    }
}
