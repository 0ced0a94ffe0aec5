package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.formats.NpyArray;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.SaeProvenance;
import dev.saestream.sae.SaeTrainer;
import dev.saestream.sae.TrainConfig;
import dev.saestream.sae.TrainingDocuments;
import dev.saestream.sae.TransformerActivations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream sae train}: trains an SAE on an activations file, or on activations streamed
 * from a transformer over a corpus, and saves it as a SAELens directory.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a TopK (AuxK) or ReLU+L1 SAE on activations (--acts acts.npy), or straight from a model"
                + " (--model, --hook) over texts (--corpus europarl or --input PATH), streaming the activations through a"
                + " shuffle buffer. Texts: one document in 10 (by a hash of its id) is held out for sae eval and never"
                + " trained on. Saves a SAELens directory."
                + " Settings: defaults < the 'train' section of the config file < SAESTREAM_TRAIN_* variables < flags.")
public final class SaeTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private static final Logger log = LoggerFactory.getLogger(SaeTrainCommand.class);

    @Mixin
    ConfigOption config;

    @Option(names = "--acts", description = "training activations, a [tokens x d_in] float .npy (instead of texts)")
    Path acts;

    @Mixin
    ModelChoice model;

    @Mixin
    InputOptions input;

    @Option(names = "--out", required = true, description = "output SAE directory")
    Path out;

    @Option(
            names = "--architecture",
            description = "topk or standard (ReLU + L1) (default ${sys:saestream.default.train.architecture})")
    String architecture;

    @Option(names = "--width", description = "features, d_sae (default ${sys:saestream.default.train.width})")
    Integer width;

    @Option(
            names = "--k",
            description = "active features per token for topk (default ${sys:saestream.default.train.k})")
    Integer k;

    @Option(
            names = "--l1",
            description = "L1 coefficient for standard (default ${sys:saestream.default.train.l1Coefficient})")
    Double l1;

    @Option(names = "--lr", description = "Adam learning rate (default 2e-4 / sqrt(width / 16384))")
    Double lr;

    @Option(names = "--batch-size", description = "tokens per step (default ${sys:saestream.default.train.batchSize})")
    Integer batchSize;

    @Option(
            names = "--tokens",
            description =
                    "training tokens (default ${sys:saestream.default.train.tokens}); --acts data and texts are revisited as needed")
    Long tokens;

    @Option(
            names = "--aux-k",
            description = "AuxK loss coefficient (default ${sys:saestream.default.train.auxKCoefficient})")
    Double auxK;

    @Option(
            names = "--dead-after",
            description =
                    "tokens without firing after which a latent is dead (default ${sys:saestream.default.train.deadAfterTokens})")
    Long deadAfter;

    @Option(names = "--seed", description = "random seed (default ${sys:saestream.default.train.seed})")
    Long seed;

    @Option(names = "--threads", description = "trainer threads (default: all cores); the weights do not depend on it")
    Integer threads;

    @Option(
            names = "--shuffle-buffer",
            description = "token activations held to mix documents when training from texts"
                    + " (default ${sys:saestream.default.train.shuffleBuffer})")
    Integer shuffleBuffer;

    @Option(
            names = "--model-name",
            description = "metadata: the model the activations come from (default with texts: the model)")
    String modelName;

    @Option(
            names = "--hook-name",
            description = "metadata: the hook the activations come from (default with texts: its SAELens name)")
    String hookName;

    @Option(
            names = "--context-size",
            description = "metadata: tokens per context (default with texts: the model's window)")
    Integer contextSize;

    @Option(
            names = "--dataset",
            description = "metadata: the dataset the activations come from (default with texts: the inputs)")
    String dataset;

    @Option(names = "--id", description = "explicit SAE id (default: model/layerN/arch-width)")
    String id;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        input.requireActsOrTexts(acts, model);
        Settings settings = config.settings();
        TrainConfig cfg = trainConfig(settings);
        SaeTrainer.Result result = acts != null ? fromFile(cfg) : fromTexts(settings, cfg);
        result.sae().save(out);
        SaeTrainer.StepStats last = result.last();
        w.printf("last batch: FVU %.4f, L0 %.2f, dead %.2f%%%n", last.fvu(), last.l0(), 100 * last.deadFraction());
        w.printf("saved %s%n", out);
        return ExitCode.OK;
    }

    private TrainConfig trainConfig(Settings settings) {
        return settings.section(
                "train",
                TrainConfig.defaults(),
                c -> Flags.on(c.withShape(
                                        architecture == null ? c.architecture() : Architecture.fromCfg(architecture),
                                        Flags.or(width, c.width()),
                                        Flags.or(k, c.k()))
                                .withBatches(
                                        Flags.or(batchSize, c.batchSize()), Flags.or(shuffleBuffer, c.shuffleBuffer())))
                        .given(l1, TrainConfig::withL1Coefficient)
                        .given(lr, TrainConfig::withLearningRate)
                        .given(tokens, TrainConfig::withTokens)
                        .given(auxK, TrainConfig::withAuxKCoefficient)
                        .given(deadAfter, TrainConfig::withDeadAfterTokens)
                        .given(seed, TrainConfig::withSeed)
                        .given(threads, TrainConfig::withThreads)
                        .config());
    }

    private SaeTrainer.Result fromFile(TrainConfig cfg) throws java.io.IOException {
        NpyArray x = Activations.read(acts, 0, null);
        SaeProvenance source = new SaeProvenance(modelName, hookName, contextSize, dataset, id);
        SaeTrainer.Result result;
        try (Progress bar = Progress.start("train", steps(cfg), "steps", null)) {
            result = SaeTrainer.train(x.floats(), x.rows(), x.cols(), cfg, source, s -> show(bar, s, ""));
        }
        summary(result, cfg, x.cols(), String.format("from %,d rows", x.rows()));
        return result;
    }

    private SaeTrainer.Result fromTexts(Settings settings, TrainConfig cfg) throws java.io.IOException {
        PrintWriter w = spec.commandLine().getOut();
        ModelConfig mc = model.config(settings);
        AtomicLong refused = new AtomicLong();
        SaeTrainer.Result result;
        String from;
        int dIn;
        try (Transformer transformer = Transformer.open(mc);
                TrainingDocuments docs = new TrainingDocuments(
                        pass -> input.documents(settings, pass == 1 ? refused : new AtomicLong()));
                TransformerActivations stream = new TransformerActivations(transformer, docs, mc.batchSize());
                Progress bar = Progress.start("train", steps(cfg), "steps", null)) {
            SaeProvenance source = SaeProvenance.of(
                    transformer, mc, modelName, hookName, contextSize, dataset != null ? dataset : datasetName(), id);
            result = SaeTrainer.train(
                    stream, cfg, source, s -> show(bar, s, String.format("  docs %,d", stream.documents())));
            dIn = transformer.width();
            from = String.format(
                    "of %,d training documents%s (%s at %s)",
                    stream.documents(),
                    docs.passes() > 1 ? ", read " + docs.passes() + " times," : "",
                    transformer.modelId(),
                    transformer.hook().alias());
        }
        summary(result, cfg, dIn, from);
        if (refused.get() > 0) {
            w.printf("skipped %,d unreadable inputs (see the log)%n", refused.get());
        }
        return result;
    }

    private static long steps(TrainConfig cfg) {
        return (cfg.tokens() + cfg.batchSize() - 1) / cfg.batchSize();
    }

    private static void show(Progress bar, SaeTrainer.StepStats s, String more) {
        bar.stepTo(s.step());
        bar.extra(String.format(" FVU %.4f  L0 %.1f  dead %.1f%%%s", s.fvu(), s.l0(), 100 * s.deadFraction(), more));
    }

    private void summary(SaeTrainer.Result result, TrainConfig cfg, int dIn, String from) {
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
                "trained %s (%s, d_in %d, d_sae %d%s) on %,d tokens %s in %.1f s (%,.0f tokens/s)%n",
                result.sae().id(),
                cfg.architecture().cfgName(),
                dIn,
                cfg.width(),
                cfg.architecture().usesK() ? ", k " + cfg.k() : "",
                result.last().tokens(),
                from,
                result.seconds(),
                result.tokensPerSecond());
    }

    private String datasetName() {
        StringBuilder sb = new StringBuilder();
        if (input.corpus != null) {
            sb.append(input.corpus.toLowerCase(java.util.Locale.ROOT));
        }
        for (String in : input.inputs) {
            sb.append(sb.length() > 0 ? "," : "").append(in);
        }
        return sb.toString();
    }
}
