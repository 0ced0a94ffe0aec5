package dev.saestream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.FileSize;
import dev.saestream.config.Home;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a long-running command's logs go: to {@code data/logs/saestream.log} (rotated daily and at
 * 20 MB, a week and 200 MB kept), so that the terminal shows only progress bars and summaries;
 * {@code --verbose} keeps them on the terminal as well. Errors from saestream's own code still reach
 * the terminal: they say what to fix.
 */
final class LogOptions {
    static final String DEFAULT_FILE = "data/logs/saestream.log";
    private static final String STDERR = "STDERR";

    /** The command this is mixed into: the path of the logs is printed on its output. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--verbose",
            description = "Show the logs on the terminal too (they always go to data/logs/saestream.log).")
    boolean verbose;

    @Option(names = "--log-file", paramLabel = "FILE", description = "Log file (default: data/logs/saestream.log).")
    String logFile;

    /** Sends the logs to the file, prints its path once, and quietens the terminal unless --verbose. */
    void toFile() {
        Path file = Home.resolve(logFile != null ? logFile : DEFAULT_FILE);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("FILE") == null) {
            root.addAppender(fileAppender(context, file));
        }
        Appender<ILoggingEvent> console = root.getAppender(STDERR);
        if (console != null && !verbose) {
            console.addFilter(new OwnErrorsOnly());
        }
        mixee.commandLine().getOut().println("logs: " + file + (verbose ? "" : " (--verbose shows them here)"));
    }

    private static Appender<ILoggingEvent> fileAppender(LoggerContext context, Path file) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf("20MB"));
        policy.setMaxHistory(7);
        policy.setTotalSizeCap(FileSize.valueOf("200MB"));
        policy.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    /** The terminal keeps only errors logged by saestream itself; the rest is in the file. */
    static final class OwnErrorsOnly extends Filter<ILoggingEvent> {
        OwnErrorsOnly() {
            start();
        }

        @Override
        public FilterReply decide(ILoggingEvent event) {
            return event.getLevel().isGreaterOrEqual(Level.ERROR)
                            && event.getLoggerName().startsWith("dev.saestream")
                    ? FilterReply.NEUTRAL
                    : FilterReply.DENY;
        }
    }
}
