package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.corpus.Document;
import dev.saestream.formats.NpyArray;
import dev.saestream.model.BundledModel;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import dev.saestream.sae.DocumentSplit;
import dev.saestream.sae.DownstreamFidelity;
import dev.saestream.sae.HookSplice;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEvaluation;
import dev.saestream.sae.TransformerSplice;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream sae eval}: reconstruction and sparsity metrics of an SAE on activations, and,
 * when it runs the model itself, downstream fidelity.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Evaluate an SAE: L0, FVU, cosine, relative reconstruction bias, dead and dense fractions, density"
                        + " histogram; on activations (--acts acts.npy), or straight from the model over texts (--corpus europarl or"
                        + " --input PATH), which adds downstream fidelity: the cosine of the model's mean-pooled embedding with the"
                        + " reconstruction spliced in at the hook, and (D_zero - D_sae) / D_zero with D = 1 - cosine and the hook"
                        + " zero-ablated for D_zero. Texts: only the documents sae train holds out (1 in 10 by a hash of the id),"
                        + " unless --all-documents. The model and hook default to the SAE's cfg.json.")
public final class SaeEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--sae", required = true, description = "SAELens directory")
    Path saeDir;

    @Option(names = "--acts", description = "activations, a [tokens x d_in] float .npy (instead of texts)")
    Path acts;

    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(
            names = "--tokens",
            defaultValue = "100000",
            description = "with texts: evaluate documents until this many tokens (default ${DEFAULT-VALUE})")
    long tokens;

    @Option(names = "--all-documents", description = "with texts: evaluate every document, not only the held-out ones")
    boolean allDocuments;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        input.requireActsOrTexts(acts, model.choice);
        if (tokens <= 0) {
            throw new IllegalArgumentException("--tokens must be positive, got " + tokens);
        }
        Sae sae = Sae.load(saeDir);
        if (acts != null) {
            NpyArray x = Activations.read(acts, sae.config().dIn(), sae.config());
            print(sae, SaeEvaluation.of(sae, x.floats(), x.rows()), null, acts.toString());
            out.println(
                    "  downstream fidelity needs the model: evaluate on texts (--corpus or --input) instead of --acts");
            return ExitCode.OK;
        }
        fromTexts(sae, config.settings());
        return ExitCode.OK;
    }

    private void fromTexts(Sae sae, Settings settings) throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig mc = model.config(settings).withHook(hook(sae));
        if (!model.choice.modelGiven() && sae.config().modelName() != null) {
            mc = mc.withName(bundled(sae.config().modelName()));
        }
        AtomicLong refused = new AtomicLong();
        SaeEvaluation.Accumulator metrics = new SaeEvaluation.Accumulator(sae);
        DownstreamFidelity.Accumulator downstream = new DownstreamFidelity.Accumulator(sae);
        long seen = 0;
        String where;
        try (Transformer transformer = Transformer.open(mc);
                Stream<Document> docs = input.documents(settings, refused);
                Progress bar = Progress.start("eval", tokens, "tokens", null)) {
            if (transformer.width() != sae.config().dIn()) {
                throw new IllegalArgumentException(
                        transformer.modelId() + " at " + transformer.hook().alias() + " is "
                                + transformer.width() + " wide but the SAE's d_in is "
                                + sae.config().dIn()
                                + ": give the --model and --hook it was trained on");
            }
            HookSplice splice = new TransformerSplice(transformer, mc.includeSpecialTokens());
            Iterator<Document> it = (allDocuments ? docs : docs.filter(DocumentSplit::evaluation)).iterator();
            while (seen < tokens && it.hasNext()) {
                HookSplice.Run run = splice.run(it.next());
                if (run.tokens() == 0) {
                    continue;
                }
                metrics.add(run.hookActivations(), run.tokens());
                downstream.add(run);
                seen += run.tokens();
                bar.stepTo(Math.min(seen, tokens));
            }
            where = String.format(
                    "%s at %s, %s documents",
                    transformer.modelId(), transformer.hook().alias(), allDocuments ? "all" : "held-out");
        }
        if (seen == 0) {
            throw new IllegalArgumentException(
                    "no tokens to evaluate: the input has no " + (allDocuments ? "" : "held-out ") + "documents"
                            + (allDocuments ? "" : " (use --all-documents to evaluate on every document)"));
        }
        print(sae, metrics.result(), downstream.result(), where);
        if (refused.get() > 0) {
            out.printf("skipped %,d unreadable inputs (see the log)%n", refused.get());
        }
    }

    /** The hook: --hook when given, else the one the SAE's cfg.json names. */
    private String hook(Sae sae) {
        if (model.choice.hook != null) {
            return model.choice.hook;
        }
        if (sae.config().hookName() == null) {
            throw new IllegalArgumentException(saeDir + "/cfg.json names no hook: give --hook");
        }
        return sae.config().hookName();
    }

    /** The bundled model the SAE's cfg.json names, or a clear error when it names another. */
    private String bundled(String name) {
        try {
            return BundledModel.of(name).id();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the SAE was trained on " + name + ", which is not bundled: give --model-dir"
                            + " with that model (or --model)",
                    e);
        }
    }

    private void print(Sae sae, SaeEvaluation e, DownstreamFidelity f, String on) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "SAE %s (%s, d_in %d, d_sae %d) on %,d tokens (%s)%n",
                sae.id(),
                sae.config().architecture().cfgName(),
                sae.config().dIn(),
                sae.config().dSae(),
                e.tokens(),
                on);
        out.printf("  L0                            %.3f%n", e.l0());
        out.printf("  FVU                           %.5f%n", e.fvu());
        out.printf("  cosine similarity             %.5f%n", e.cosine());
        out.printf("  relative reconstruction bias  %.5f%n", e.relativeReconstructionBias());
        out.printf("  dead fraction                 %.4f%n", e.deadFraction());
        out.printf("  dense fraction (> %.0f%%)        %.4f%n", 100 * SaeEvaluation.DENSE_DENSITY, e.denseFraction());
        if (f != null) {
            out.printf(
                    "  downstream, over %,d documents (mean-pooled embedding, cosine to the clean one):%n",
                    f.documents());
            out.printf("    cosine, SAE spliced in      %.5f%n", f.meanCosineSae());
            out.printf("    cosine, hook zero-ablated   %.5f%n", f.meanCosineZero());
            out.printf("    score (D_zero - D_sae) / D_zero  %.4f%n", f.score());
        }
        out.println("  feature density (log10 of firing rate), alive features:");
        long max = 1;
        for (long c : e.densityHistogram()) {
            max = Math.max(max, c);
        }
        for (int i = 0; i < e.densityHistogram().length; i++) {
            long c = e.densityHistogram()[i];
            out.printf(
                    "    [%5.1f, %5.1f) %7d %s%n",
                    SaeEvaluation.binFrom(i), SaeEvaluation.binFrom(i + 1), c, "#".repeat((int)
                                    Math.round(40.0 * c / max)));
        }
    }
}
