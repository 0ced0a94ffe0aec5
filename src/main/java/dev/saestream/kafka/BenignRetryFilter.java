package dev.saestream.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Set;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Moves the producer's WARN for two retried errors down to DEBUG (logged under this class): under
 * exactly-once, a transaction's first batches race the coordinator adding their partitions
 * ({@code CONCURRENT_TRANSACTIONS}) and a partition with no state yet for the producer refuses
 * batches numbered above 0 until the first lands ({@code OUT_OF_ORDER_SEQUENCE_NUMBER}, KAFKA-18202).
 * The producer retries both and they succeed; a retry that gives up still fails the send, loudly.
 */
public final class BenignRetryFilter extends TurboFilter {
    static final String LOGGER = "org.apache.kafka.clients.producer.internals.Sender";
    static final Set<String> BENIGN = Set.of("CONCURRENT_TRANSACTIONS", "OUT_OF_ORDER_SEQUENCE_NUMBER");
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(BenignRetryFilter.class);

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.WARN
                || logger == null
                || !LOGGER.equals(logger.getName())
                || format == null
                || !format.contains("retrying")) {
            return FilterReply.NEUTRAL;
        }
        // Kafka's LogContext hands over the message formatted, without parameters
        boolean benign = BENIGN.stream().anyMatch(e -> format.endsWith("Error: " + e));
        if (params != null) {
            for (Object p : params) {
                benign |= p != null && BENIGN.contains(p.toString());
            }
        }
        if (!benign) {
            return FilterReply.NEUTRAL;
        }
        if (log.isDebugEnabled()) {
            log.debug("producer retry: " + format, params);
        }
        return FilterReply.DENY;
    }
}
