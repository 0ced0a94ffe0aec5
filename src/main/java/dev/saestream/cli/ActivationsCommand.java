package dev.saestream.cli;

import dev.saestream.corpus.Document;
import dev.saestream.formats.Json;
import dev.saestream.formats.Npy;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.TokenActivations;
import dev.saestream.model.Transformer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saestream activations}: one hook's activations for every token of a corpus, as
 * {@code acts.npy} ({@code [tokens × width]} float32) and {@code tokens.jsonl} (one line per row),
 * for SAE training and for any tool that reads NumPy.
 */
@Command(
        name = "activations",
        mixinStandardHelpOptions = true,
        description = "Write a hook's per-token activations for a corpus: acts.npy ([tokens x width] float32),"
                + " tokens.jsonl (document id, position, token, character offsets) and activations.json.")
public final class ActivationsCommand implements Callable<Integer> {
    static final String ACTS = "acts.npy";
    static final String TOKENS = "tokens.jsonl";
    static final String META = "activations.json";

    @Mixin
    ConfigOption configOption;

    @Mixin
    ModelOptions model;

    @Mixin
    InputOptions input;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "Output directory (created if missing).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One line of tokens.jsonl: the row of acts.npy with the same number. */
    record TokenRow(String doc, int pos, String token, int start, int end, Boolean special) {}

    /** activations.json: what the arrays hold. */
    record Meta(
            String model,
            String hook,
            String tensor,
            int width,
            long rows,
            long documents,
            int maxTokens,
            boolean includeSpecialTokens) {}

    @Override
    public Integer call() throws IOException {
        ModelConfig config = model.config(configOption.settings());
        input.requireGiven();
        Files.createDirectories(out);
        AtomicLong documents = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long rows;
        try (Stream<Document> docs = input.documents(configOption.settings(), refused);
                Transformer transformer = Transformer.open(config);
                Npy.Writer acts = new Npy.Writer(out.resolve(ACTS), transformer.width());
                BufferedWriter tokens = Files.newBufferedWriter(out.resolve(TOKENS), StandardCharsets.UTF_8);
                Progress progress = Progress.start(
                        "activations", input.expected(input.produceConfig(configOption.settings())), "docs", null)) {
            Iterator<Document> it = docs.iterator();
            int chunkSize = 4 * config.batchSize();
            while (it.hasNext()) {
                List<Document> chunk = new ArrayList<>(chunkSize);
                while (it.hasNext() && chunk.size() < chunkSize) {
                    chunk.add(it.next());
                }
                List<TokenActivations> results =
                        transformer.extract(chunk.stream().map(Document::text).toList());
                for (int d = 0; d < chunk.size(); d++) {
                    write(chunk.get(d).id(), results.get(d), acts, tokens);
                }
                progress.stepTo(documents.addAndGet(chunk.size()));
            }
            rows = acts.rows();
            Meta meta = new Meta(
                    transformer.modelId(),
                    transformer.hook().alias(),
                    transformer.hook().tensor(),
                    transformer.width(),
                    rows,
                    documents.get(),
                    transformer.maxTokens(),
                    config.includeSpecialTokens());
            Json.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(out.resolve(META).toFile(), meta);
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "wrote %d token activations from %d documents to %s (%s, %s, %s)%s%n",
                        rows,
                        documents.get(),
                        out,
                        ACTS,
                        TOKENS,
                        META,
                        refused.get() > 0 ? "; skipped " + refused.get() + " unreadable inputs (see the log)" : "");
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }

    private static void write(String doc, TokenActivations t, Npy.Writer acts, BufferedWriter tokens)
            throws IOException {
        acts.append(t.activations(), 0, t.activations().length);
        for (int i = 0; i < t.size(); i++) {
            TokenRow row =
                    new TokenRow(doc, i, t.tokens().get(i), t.starts()[i], t.ends()[i], t.special()[i] ? true : null);
            tokens.write(Json.writeString(row));
            tokens.newLine();
        }
    }
}
