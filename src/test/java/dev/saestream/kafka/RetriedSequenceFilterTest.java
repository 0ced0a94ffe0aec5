package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RetriedSequenceFilterTest {
    static final String RETRIED =
            "Invalid sequence number for producer 3 at offset 770 in partition p-0: 2 (incoming seq."
                    + " number). Expected sequence 0 for transactions v2 idempotent producer with no existing state.";

    @Test
    void onlyTheBrokersErrorForARetriedBatchIsDropped() {
        LoggerContext context = LogCapture.contextWith(new RetriedSequenceFilter());
        ListAppender<ILoggingEvent> seen = LogCapture.listen(context.getLogger(Logger.ROOT_LOGGER_NAME));

        Logger broker = context.getLogger(RetriedSequenceFilter.LOGGER);
        broker.error("Error processing append operation on partition p-0", new OutOfOrderSequenceException(RETRIED));
        broker.error(
                "Error processing append operation on partition p-0",
                new OutOfOrderSequenceException(
                        "Out of order sequence number for producer 1 at offset 5 in partition p-0: 51 (incoming seq. number), 49"));
        broker.error("Error processing append operation on partition p-0", new IOException("No space left on device"));
        broker.warn("a warning", new OutOfOrderSequenceException(RETRIED));
        context.getLogger("somewhere.else").error("elsewhere", new OutOfOrderSequenceException(RETRIED));

        assertThat(seen.list)
                .extracting(e -> e.getThrowableProxy().getMessage())
                .containsExactly(
                        "Out of order sequence number for producer 1 at offset 5 in partition p-0: 51 (incoming seq. number), 49",
                        "No space left on device",
                        RETRIED,
                        RETRIED);
    }

    @Test
    void theShippedConfigurationInstallsIt() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(KafkaLogFilterTest.shipped(context).rules()).hasAtLeastOneElementOfType(RetriedSequenceFilter.class);
    }
}
