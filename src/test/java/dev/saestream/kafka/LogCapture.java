package dev.saestream.kafka;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;

/** Logging contexts and appenders for the tests of the project's log filters. */
final class LogCapture {
    private LogCapture() {}

    /** A fresh logging context with {@code filter} started and installed. */
    static LoggerContext contextWith(TurboFilter filter) {
        LoggerContext context = new LoggerContext();
        filter.start();
        context.addTurboFilter(filter);
        return context;
    }

    /** Every event that reaches {@code logger} from now on. */
    static ListAppender<ILoggingEvent> listen(Logger logger) {
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(logger.getLoggerContext());
        seen.start();
        logger.addAppender(seen);
        return seen;
    }
}
