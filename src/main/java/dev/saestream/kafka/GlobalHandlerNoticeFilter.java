package dev.saestream.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Kafka Streams' notice that the processing exception handler is off for global stores.
 * {@link StreamsProps} turns it on, but Kafka 4.3 also builds internal copies of the config for
 * its clients without that setting, and each copy logs the notice: three warnings at every start
 * about a setting that is in fact on. Every other StreamsConfig warning still shows.
 */
public final class GlobalHandlerNoticeFilter extends TurboFilter {
    static final String LOGGER = "org.apache.kafka.streams.StreamsConfig";
    static final String NOTICE = "Processing exception handler is not enabled for the GlobalThread";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == Level.WARN
                && logger != null
                && LOGGER.equals(logger.getName())
                && format != null
                && format.startsWith(NOTICE)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
