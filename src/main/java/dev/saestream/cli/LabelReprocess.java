package dev.saestream.cli;

import dev.saestream.label.BackgroundIndex;
import dev.saestream.label.LabelConfig;
import dev.saestream.label.Labeller;
import dev.saestream.label.LlmPrices;
import dev.saestream.label.Relabel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** {@code saestream label --reprocess}: the estimate, then (without --dry-run) the relabel with a progress bar. */
final class LabelReprocess {
    private LabelReprocess() {}

    static int run(
            LabelConfig config,
            LlmPrices prices,
            Map<String, Object> kafka,
            String saeId,
            boolean dryRun,
            Boolean progress,
            PrintWriter out,
            PrintWriter err,
            Runnable toLogFile)
            throws Exception {
        BackgroundIndex background = new BackgroundIndex();
        Labeller labeller = Labeller.create(config, background, System.getenv());
        Relabel relabel = Relabel.read(config, kafka, background, labeller, saeId);
        Relabel.Estimate estimate = relabel.estimate();
        out.print(describe(saeId, labeller, estimate, prices));
        out.flush();
        if (dryRun || estimate.features() == 0) {
            return ExitCode.OK;
        }
        toLogFile.run();
        try (Shutdown stop = Shutdown.install(err)
                .message("stopping: the labels in flight are written first (Ctrl-C again to" + " stop at once)")) {
            stop.onStop(relabel::stop);
            Thread bar = new Thread(() -> showProgress(relabel, progress), "relabel-progress");
            bar.setDaemon(true);
            bar.start();
            try {
                relabel.run();
            } finally {
                bar.interrupt();
                bar.join(2_000);
            }
            Relabel.Progress p = relabel.progress();
            out.println(String.format(
                    Locale.ROOT,
                    "%s: %,d labelled, %,d failed, %,d left for a later run (LLM unreachable)%s;"
                            + " LLM calls %,d, tokens %,d in / %,d out%s",
                    stop.requested() ? "stopped" : "relabelled",
                    p.labelled(),
                    p.failed(),
                    p.unavailable(),
                    stop.requested() ? String.format(Locale.ROOT, ", %,d not started", p.total() - p.finished()) : "",
                    p.calls(),
                    p.inputTokens(),
                    p.outputTokens(),
                    prices.configured()
                            ? String.format(Locale.ROOT, ", $%.2f", prices.dollars(p.inputTokens(), p.outputTokens()))
                            : ""));
            out.flush();
            return stop.exitCode(ExitCode.OK);
        }
    }

    static String describe(String saeId, Labeller labeller, Relabel.Estimate e, LlmPrices prices) {
        StringBuilder sb = new StringBuilder();
        var who = labeller.explainerInfo();
        sb.append(String.format(
                Locale.ROOT,
                "relabel %s with %s%s%s%n",
                saeId,
                who.kind(),
                who.provider() == null ? "" : " " + who.provider(),
                who.model() == null ? "" : " " + who.model()));
        sb.append(String.format(
                Locale.ROOT,
                "  features    %,d to label (%,d already labelled by this explainer at their"
                        + " version, %,d with too few windows)%n",
                e.features(),
                e.alreadyDone(),
                e.tooFew()));
        sb.append(String.format(Locale.ROOT, "  LLM calls   %,d%n", e.calls()));
        sb.append(String.format(
                Locale.ROOT,
                "  tokens      %,d in (counted on the prompts, o200k) / %,d out (the shortest"
                        + " answers the schemas accept)%n",
                e.inputTokens(),
                e.outputTokens()));
        e.byKind()
                .forEach((kind, k) -> sb.append(String.format(
                        Locale.ROOT,
                        "    %-16s %,8d calls %,12d in %,10d out (%.0f out per call)%n",
                        kind,
                        k.calls(),
                        k.inputTokens(),
                        k.outputTokens(),
                        k.outputPerCall())));
        sb.append("  dollars     ")
                .append(
                        prices.configured()
                                ? String.format(
                                        Locale.ROOT,
                                        "$%.2f at $%s in / $%s out per million tokens",
                                        prices.dollars(e.inputTokens(), e.outputTokens()),
                                        plain(prices.inputPerMillion()),
                                        plain(prices.outputPerMillion()))
                                : "unknown: no prices configured (prices.inputPerMillion, prices.outputPerMillion or --input-price, --output-price)")
                .append('\n');
        Double s = e.seconds();
        String limits = e.limitSeconds() > 0
                ? "at least " + duration(e.limitSeconds()) + " under label.limits.requestsPerMinute and"
                        + " label.limits.tokensPerHour"
                : "";
        sb.append("  time        ")
                .append(
                        s == null
                                ? "unknown: this model has no earlier label to time"
                                        + (limits.isEmpty() ? "" : "; " + limits)
                                : String.format(
                                        Locale.ROOT,
                                        "about %s at %.0f ms per call observed, %d at once%s",
                                        duration(s),
                                        e.millisPerCall(),
                                        e.concurrency(),
                                        limits.isEmpty() ? "" : " (" + limits + ")"))
                .append('\n');
        return sb.toString();
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 120
                ? s + " s"
                : s < 7200 ? Math.round(s / 60.0) + " min" : String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }

    private static void showProgress(Relabel relabel, Boolean enabled) {
        try (Progress bar = Progress.start("relabel", relabel.progress().total(), "features", enabled)) {
            while (!Thread.currentThread().isInterrupted()) {
                Relabel.Progress p = relabel.progress();
                bar.stepTo(p.finished());
                bar.extra(String.format(
                        Locale.ROOT,
                        "%d failed, tokens %,d in / %,d out",
                        p.failed(),
                        p.inputTokens(),
                        p.outputTokens()));
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
