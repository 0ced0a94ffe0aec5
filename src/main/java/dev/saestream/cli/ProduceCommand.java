package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.corpus.LanguageFilter;
import dev.saestream.encode.EncodedDocuments;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.produce.ProduceSummary;
import dev.saestream.produce.TextProducer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saestream produce}: documents into {@code saestream.texts}, bad input into the dead-letter topic. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Write documents to saestream.texts from the bundled corpus, files, directories, JSON Lines or stdin.",
            "Bad input (empty, invalid UTF-8, malformed JSON, missing text, repeated id, too large) goes to saestream.dlq.",
            "Each document's language goes in meta.lang; the bundled corpus gives English documents unless --lang says otherwise.",
            "Exit status 3 when anything was dead-lettered."
        })
final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    InputOptions input;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when on a terminal).")
    Boolean progress;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings();
        ProduceConfig pc = input.produceConfig(settings);
        try (KafkaSession session = KafkaSession.connect(kafka.cluster(settings), kafka.broker(settings))) {
            ProduceSummary summary = produce(spec.commandLine().getOut(), session, input, pc, progress);
            return summary.deadLettered() > 0 ? ExitCode.DEAD_LETTERED : ExitCode.OK;
        }
    }

    /** Produces every input with a progress bar and prints the summary line on {@code out}; shared with {@code run}. */
    static ProduceSummary produce(
            PrintWriter out, KafkaSession session, InputOptions input, ProduceConfig pc, Boolean progress) {
        return produce(out, session, input, pc, progress, null, new long[1], null);
    }

    /**
     * As above; {@code stop} (may be null) ends it early by throwing {@link Shutdown.Stopped} once the
     * producer has flushed, {@code read} holds the inputs read so far, for a stopped summary, and
     * documents in {@code known} (may be null) are skipped.
     */
    static ProduceSummary produce(
            PrintWriter out,
            KafkaSession session,
            InputOptions input,
            ProduceConfig pc,
            Boolean progress,
            Shutdown stop,
            long[] read,
            EncodedDocuments known) {
        long started = System.nanoTime();
        try (TextProducer producer = new TextProducer(TextProducer.newProducer(session.clientConfig(), pc))
                        .skipping(known == null ? (id, text) -> false : known::contains);
                Progress bar = Progress.start("produce", input.expected(pc), "docs", progress)) {
            ProduceSummary summary = producer.produce(
                    input.open(pc),
                    (n, bytes) -> {
                        read[0] = n;
                        if (stop != null) {
                            stop.check();
                        }
                        bar.stepTo(n);
                        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                        bar.extra(String.format("%.1f MB/s", bytes / 1e6 / secs));
                    },
                    input.corpus != null ? pc.languages() : LanguageFilter.parse(LanguageFilter.ALL));
            bar.close();
            double secs = (System.nanoTime() - started) / 1e9;
            out.printf(
                    "%s in %.1f s (%.0f docs/s, %.1f MB/s)%n",
                    summary.line(), secs, summary.read() / secs, summary.bytes() / 1e6 / secs);
            return summary;
        }
    }
}
