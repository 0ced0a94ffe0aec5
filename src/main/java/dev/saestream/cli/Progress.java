package dev.saestream.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar on stderr (me.tongfei:progressbar), or nothing when output is not a terminal. */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** {@code total} &lt;= 0 means unknown. {@code enabled} null means "when stderr is a terminal". */
    static Progress start(String task, long total, String unit, Boolean enabled) {
        boolean on = enabled != null ? enabled : System.console() != null;
        if (!on) {
            return new Progress(null);
        }
        // the process's stderr, not the command's err writer: the bar redraws in place on a terminal
        // (it is off without one, so there is nothing for a test to capture) and its consumer takes a PrintStream
        PrintStream err = System.err;
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total > 0 ? total : -1)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build();
        return new Progress(bar);
    }

    void stepTo(long n) {
        if (bar != null) {
            bar.stepTo(n);
        }
    }

    /** A new total, for work whose size is found out as it goes. */
    void maxHint(long total) {
        if (bar != null) {
            bar.maxHint(total);
        }
    }

    void extra(String message) {
        if (bar != null) {
            // set apart from the speed the bar prints just before it
            bar.setExtraMessage(message == null || message.isEmpty() ? "" : " · " + message);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
