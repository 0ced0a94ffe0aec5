package dev.saestream.cli;

import dev.saestream.formats.NpyArray;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeEvaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code saestream sae eval}: reconstruction and sparsity metrics of an SAE on activations. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate an SAE on activations (acts.npy): L0, FVU, cosine, relative reconstruction bias,"
                + " dead and dense fractions, density histogram.")
public final class SaeEvalCommand implements Callable<Integer> {
    @Option(names = "--sae", required = true, description = "SAELens directory")
    Path saeDir;

    @Option(names = "--acts", required = true, description = "activations, a [tokens x d_in] float .npy")
    Path acts;

    @Override
    public Integer call() throws Exception {
        Sae sae = Sae.load(saeDir);
        NpyArray x = Activations.read(acts, sae.config().dIn(), sae.config());
        SaeEvaluation e = SaeEvaluation.of(sae, x.floats(), x.rows());
        System.out.printf("SAE %s (%s, d_in %d, d_sae %d) on %,d tokens%n", sae.id(), sae.config().architecture().cfgName(),
                sae.config().dIn(), sae.config().dSae(), e.tokens());
        System.out.printf("  L0                            %.3f%n", e.l0());
        System.out.printf("  FVU                           %.5f%n", e.fvu());
        System.out.printf("  cosine similarity             %.5f%n", e.cosine());
        System.out.printf("  relative reconstruction bias  %.5f%n", e.relativeReconstructionBias());
        System.out.printf("  dead fraction                 %.4f%n", e.deadFraction());
        System.out.printf("  dense fraction (> %.0f%%)        %.4f%n", 100 * SaeEvaluation.DENSE_DENSITY, e.denseFraction());
        System.out.println("  feature density (log10 of firing rate), alive features:");
        long max = 1;
        for (long c : e.densityHistogram()) {
            max = Math.max(max, c);
        }
        for (int i = 0; i < e.densityHistogram().length; i++) {
            long c = e.densityHistogram()[i];
            System.out.printf("    [%5.1f, %5.1f) %7d %s%n", SaeEvaluation.binFrom(i), SaeEvaluation.binFrom(i + 1), c,
                    "#".repeat((int) Math.round(40.0 * c / max)));
        }
        return ExitCode.OK;
    }
}
