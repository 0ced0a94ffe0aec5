package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BenignRetryFilterTest {
    static final String RETRY =
            "[Producer clientId=p] Got error produce response with correlation id {} on topic-partition {},"
                    + " retrying ({} attempts left). Error: {}";

    @Test
    void onlyTheProducersRetriesOfBenignErrorsLeaveTheWarnings() {
        LoggerContext context = LogCapture.contextWith(new BenignRetryFilter());
        ListAppender<ILoggingEvent> seen = LogCapture.listen(context.getLogger(Logger.ROOT_LOGGER_NAME));

        Logger sender = context.getLogger(BenignRetryFilter.LOGGER);
        sender.warn(RETRY, 262, "t-0", 2147483646, Errors.CONCURRENT_TRANSACTIONS);
        sender.warn(RETRY, 263, "t-1", 2147483646, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        // as Kafka's LogContext logs it: formatted already
        sender.warn("[Producer clientId=p] Got error produce response with correlation id 5549 on topic-partition t-0,"
                + " retrying (2147483646 attempts left). Error: OUT_OF_ORDER_SEQUENCE_NUMBER");
        sender.warn(RETRY, 264, "t-2", 5, Errors.NOT_ENOUGH_REPLICAS);
        sender.error(RETRY, 265, "t-3", 0, Errors.CONCURRENT_TRANSACTIONS);
        context.getLogger("somewhere.else").warn(RETRY, 266, "t-4", 1, Errors.CONCURRENT_TRANSACTIONS);

        assertThat(seen.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "[Producer clientId=p] Got error produce response with correlation id 264 on topic-partition t-2,"
                                + " retrying (5 attempts left). Error: NOT_ENOUGH_REPLICAS",
                        "[Producer clientId=p] Got error produce response with correlation id 265 on topic-partition t-3,"
                                + " retrying (0 attempts left). Error: CONCURRENT_TRANSACTIONS",
                        "[Producer clientId=p] Got error produce response with correlation id 266 on topic-partition t-4,"
                                + " retrying (1 attempts left). Error: CONCURRENT_TRANSACTIONS");
    }

    @Test
    void theShippedConfigurationInstallsIt() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(KafkaLogFilterTest.shipped(context).rules()).hasAtLeastOneElementOfType(BenignRetryFilter.class);
    }
}
