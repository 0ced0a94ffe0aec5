package dev.saestream.cli;

import dev.saestream.config.Flags;
import dev.saestream.config.Settings;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.DocumentIds;
import dev.saestream.corpus.Europarl;
import dev.saestream.corpus.Languages;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextFormat;
import dev.saestream.corpus.TextSources;
import dev.saestream.produce.ProduceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Where documents come from: shared by {@code produce}, {@code run}, {@code activations} and {@code sae train|eval}. */
public final class InputOptions {
    private static final Logger log = LoggerFactory.getLogger(InputOptions.class);

    @Option(names = "--corpus", paramLabel = "NAME", description = "A bundled corpus: europarl.")
    String corpus;

    @Option(names = "--limit", paramLabel = "N", description = "Read at most N documents of the corpus.")
    long limit;

    @Option(
            names = "--input",
            paramLabel = "PATH",
            split = ",",
            description = "Files or directories (recursively) to read; '-' is standard input.")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--per-line", description = "Plain text: one document per line instead of per file.")
    boolean perLine;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "text, jsonl, or auto (by extension: .jsonl/.ndjson are JSON Lines). Default: auto.")
    TextFormat format = TextFormat.AUTO;

    @Option(
            names = "--max-bytes",
            paramLabel = "BYTES",
            description =
                    "Largest text accepted, in bytes (default ${sys:saestream.default.produce.maxBytes}); bigger ones are dead-lettered.")
    Integer maxBytes;

    @Option(
            names = "--lang",
            paramLabel = "LANGS",
            description =
                    "Languages of the bundled corpus to read (default ${sys:saestream.default.produce.lang}): en, all, or codes such as sv or en,fr."
                            + " Every document gets its detected language in meta.lang; your own input is never filtered.")
    String lang;

    ProduceConfig produceConfig(Settings settings) {
        return settings.section(
                ProduceConfig.SECTION,
                ProduceConfig.defaults(),
                c -> Flags.on(c)
                        .given(maxBytes, ProduceConfig::withMaxBytes)
                        .given(lang, ProduceConfig::withLang)
                        .config());
    }

    boolean given() {
        return corpus != null || !inputs.isEmpty();
    }

    /** Refuses a command given nothing to read. */
    void requireGiven() {
        if (!given()) {
            throw new IllegalArgumentException(
                    "nothing to read: give --corpus europarl or --input PATH (or '-' for stdin)");
        }
    }

    /**
     * For commands that read either an activations file or texts to run the model over: exactly
     * one of the two, and the model flags only with texts.
     */
    void requireActsOrTexts(Path acts, ModelChoice model) {
        if ((acts != null) == given()) {
            throw new IllegalArgumentException(
                    "give either --acts FILE, or texts (--corpus europarl or --input PATH) to run" + " the model over");
        }
        if (acts != null && model.modelGiven()) {
            throw new IllegalArgumentException(
                    "--model and --model-dir apply to texts; --acts are activations already");
        }
    }

    /**
     * Expected number of inputs when known (for the progress bar), else -1: a limit on a
     * language-filtered corpus counts the documents kept, not those read.
     */
    long expected(ProduceConfig config) {
        if (corpus != null && inputs.isEmpty()) {
            if (limit <= 0) {
                return Europarl.DOCUMENTS;
            }
            return config.languages().all() ? Math.min(limit, Europarl.DOCUMENTS) : -1;
        }
        return -1;
    }

    /** Every input as one stream; the caller closes it. */
    Stream<SourceItem> open(ProduceConfig config) {
        requireGiven();
        SourceOptions options = new SourceOptions(format, perLine, config.maxBytes());
        List<Stream<SourceItem>> parts = new ArrayList<>();
        if (corpus != null) {
            if (!Europarl.NAME.equalsIgnoreCase(corpus)) {
                throw new IllegalArgumentException("unknown corpus '" + corpus + "'; the bundled one is europarl");
            }
            parts.add(TextSources.europarl(limit, options, Languages.shared(), config.languages()));
        }
        List<Path> paths = new ArrayList<>();
        for (String in : inputs) {
            if ("-".equals(in)) {
                parts.add(TextSources.stream(System.in, "stdin", options));
            } else {
                paths.add(Path.of(in));
            }
        }
        if (!paths.isEmpty()) {
            parts.add(TextSources.paths(paths, options));
        }
        Stream<SourceItem> all = parts.stream().reduce(Stream::concat).orElseThrow();
        // the corpus is tagged already; tagging keeps a language a document has
        return all.map(item -> Languages.shared().tag(item));
    }

    /**
     * The documents read, each keyed as {@code produce} keys it (its own id, else a hash of its
     * text), for commands that read texts without Kafka. Refused inputs are logged and counted in
     * {@code refused}. The caller closes the stream.
     */
    Stream<Document> documents(Settings settings, AtomicLong refused) {
        DocumentIds ids = new DocumentIds();
        return open(produceConfig(settings)).map(ids).<Document>mapMulti((item, out) -> {
            if (item instanceof SourceItem.Read read) {
                out.accept(read.document());
            } else if (item instanceof SourceItem.Refused r) {
                refused.incrementAndGet();
                log.warn("skipping {}: {} ({})", r.location(), r.detail(), r.reason());
            }
            // documents in other languages than produce.lang are left out without a word: that is what was asked
        });
    }
}
