package dev.saestream.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.Marker;

/**
 * The one turbo filter {@code logback.xml} installs: {@link RetriedSequenceFilter}, {@link
 * BenignRetryFilter} and {@link GlobalHandlerNoticeFilter} behind a level check. Logback asks the
 * turbo filters on every {@code isTraceEnabled()} in the JVM, broker included, and with two or more
 * installed it copies their list each time; one filter that turns TRACE to INFO away first costs a
 * call and a compare (2.4% of the catalog thread's samples went to that copy).
 */
public final class KafkaLogFilter extends TurboFilter {
    private final List<TurboFilter> rules =
            List.of(new RetriedSequenceFilter(), new BenignRetryFilter(), new GlobalHandlerNoticeFilter());

    /** The rules this filter applies, in order. */
    public List<TurboFilter> rules() {
        return rules;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // every rule acts on WARN or ERROR alone
        if (level == null || level.levelInt < Level.WARN_INT) {
            return FilterReply.NEUTRAL;
        }
        for (TurboFilter rule : rules) {
            FilterReply reply = rule.decide(marker, logger, level, format, params, t);
            if (reply != FilterReply.NEUTRAL) {
                return reply;
            }
        }
        return FilterReply.NEUTRAL;
    }

    @Override
    public void start() {
        rules.forEach(TurboFilter::start);
        super.start();
    }

    @Override
    public void stop() {
        rules.forEach(TurboFilter::stop);
        super.stop();
    }
}
