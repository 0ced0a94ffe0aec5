package dev.saestream.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.slf4j.Marker;

/**
 * Drops one ERROR of the embedded broker that is not an error: under Kafka 4's transactions v2 a
 * partition that has no state yet for a producer refuses its batches numbered above 0 until the
 * first one lands (KAFKA-18202), and the producer retries them. Exactly-once runs hit it whenever
 * a transaction's batches race; every other broker error still shows.
 */
public final class RetriedSequenceFilter extends TurboFilter {
    static final String LOGGER = "kafka.server.ReplicaManager";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == Level.ERROR
                && t instanceof OutOfOrderSequenceException
                && logger != null
                && LOGGER.equals(logger.getName())
                && t.getMessage() != null
                && t.getMessage().contains("idempotent producer with no existing state")) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
