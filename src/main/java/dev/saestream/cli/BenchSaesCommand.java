package dev.saestream.cli;

import dev.saestream.config.Home;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.encode.EncodeException;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.model.ModelConfig;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Normalization;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeWeights;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saestream bench saes}: what a second SAE costs when it shares the transformer pass, against
 * a second pass of its own. No Kafka: the encoder alone over Europarl documents.
 */
@Command(
        name = "saes",
        mixinStandardHelpOptions = true,
        description = "Tokens/s of the default SAE alone, of a second SAE (same width, at layer1) alone, and of both in"
                + " one transformer pass; the ratio of one shared pass to two passes.")
final class BenchSaesCommand implements Callable<Integer> {
    @Option(
            names = "--docs",
            defaultValue = "60",
            description = "Europarl documents to encode (default ${DEFAULT-VALUE})")
    int docs;

    @Option(
            names = "--hook",
            defaultValue = "blocks.1.hook_resid_post",
            description = "the second SAE's hook (default ${DEFAULT-VALUE})")
    String hook;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, EncodeException {
        PrintWriter w = spec.commandLine().getOut();
        Sae first = Sae.load(Home.resolve(EncodeConfig.defaults().sae()));
        Sae second = random(first, hook);
        List<String> texts = TextSources.europarl(docs, SourceOptions.defaults())
                .filter(i -> i instanceof SourceItem.Read)
                .map(i -> ((SourceItem.Read) i).document().text())
                .toList();
        ModelConfig model = ModelConfig.defaults();
        EncodeConfig config = EncodeConfig.defaults();
        w.printf(
                "saestream bench saes: %d Europarl documents, %s (%s) and a random %s SAE at %s%n",
                texts.size(),
                first.id(),
                first.config().hookName(),
                first.config().architecture().cfgName(),
                hook);
        double a = run(w, "first SAE alone", model, List.of(first), config, texts);
        double b = run(w, "second SAE alone", model, List.of(second), config, texts);
        double both = run(w, "both in one pass", model, List.of(first, second), config, texts);
        w.printf(
                "one shared pass takes %.2f of the time of two passes (%.2f of the first SAE's pass alone)%n",
                both / (a + b), both / a);
        w.flush();
        return ExitCode.OK;
    }

    /** Seconds to encode every text (after one warm-up text), printing tokens/s. */
    private static double run(
            PrintWriter w, String what, ModelConfig model, List<Sae> saes, EncodeConfig config, List<String> texts)
            throws IOException, EncodeException {
        try (SaeDocumentEncoder encoder = SaeDocumentEncoder.open(model, saes, config)) {
            encoder.encodeAll("warm-up", texts.get(0));
            long tokens = 0;
            long start = System.nanoTime();
            for (int i = 0; i < texts.size(); i++) {
                tokens += encoder.encodeAll("doc" + i, texts.get(i)).get(0).size();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            w.printf("  %-18s %,8.0f tokens/s  (%.1f s)%n", what, tokens / secs, secs);
            w.flush();
            return secs;
        }
    }

    private static Sae random(Sae like, String hook) {
        SaeConfig c = new SaeConfig(
                Architecture.TOPK,
                like.config().dIn(),
                like.config().dSae(),
                like.config().k(),
                false,
                true,
                Normalization.NONE,
                "float32",
                like.config().modelName(),
                hook,
                256,
                null,
                "bench/" + hook + "/topk",
                Map.of());
        SaeWeights weights = SaeWeights.zeros(c);
        Random rnd = new Random(1);
        for (float[] a : new float[][] {weights.wEnc(), weights.bEnc(), weights.wDec()}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (0.05 * rnd.nextGaussian());
            }
        }
        return Sae.of(c, weights);
    }
}
