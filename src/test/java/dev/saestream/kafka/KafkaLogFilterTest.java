package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaLogFilterTest {
    /** The shipped configuration's turbo filters: this one alone, so that logback never copies a list of them. */
    static KafkaLogFilter shipped(LoggerContext context) {
        assertThat(context.getTurboFilterList()).hasSize(1).allMatch(KafkaLogFilter.class::isInstance);
        return (KafkaLogFilter) context.getTurboFilterList().get(0);
    }

    @Test
    void theShippedConfigurationInstallsItAlone() {
        KafkaLogFilter filter = shipped((LoggerContext) LoggerFactory.getILoggerFactory());
        assertThat(filter.isStarted()).isTrue();
        assertThat(filter.rules()).allMatch(TurboFilter::isStarted);
    }

    @Test
    void itAppliesEveryRuleAndLetsTheRestThrough() {
        LoggerContext context = LogCapture.contextWith(new KafkaLogFilter());
        ListAppender<ILoggingEvent> seen = LogCapture.listen(context.getLogger(Logger.ROOT_LOGGER_NAME));

        context.getLogger(RetriedSequenceFilter.LOGGER)
                .error("append failed", new OutOfOrderSequenceException(RetriedSequenceFilterTest.RETRIED));
        context.getLogger(BenignRetryFilter.LOGGER)
                .warn(BenignRetryFilterTest.RETRY, 1, "t-0", 3, Errors.CONCURRENT_TRANSACTIONS);
        context.getLogger(GlobalHandlerNoticeFilter.LOGGER).warn(GlobalHandlerNoticeFilter.NOTICE + ".");
        context.getLogger(BenignRetryFilter.LOGGER)
                .warn(BenignRetryFilterTest.RETRY, 2, "t-1", 3, Errors.NOT_ENOUGH_REPLICAS);
        context.getLogger("somewhere.else").error("a real error");

        assertThat(seen.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "[Producer clientId=p] Got error produce response with correlation id 2 on topic-partition t-1,"
                                + " retrying (3 attempts left). Error: NOT_ENOUGH_REPLICAS",
                        "a real error");
    }

    @Test
    void belowWarnItAsksNoRule() {
        KafkaLogFilter filter = new KafkaLogFilter();
        Logger broker = new LoggerContext().getLogger(RetriedSequenceFilter.LOGGER);
        OutOfOrderSequenceException retried = new OutOfOrderSequenceException(RetriedSequenceFilterTest.RETRIED);
        for (Level level : new Level[] {Level.TRACE, Level.DEBUG, Level.INFO}) {
            assertThat(filter.decide(null, broker, level, "append failed", null, retried))
                    .as(level.toString())
                    .isEqualTo(FilterReply.NEUTRAL);
        }
        assertThat(filter.decide(null, broker, Level.ERROR, "append failed", null, retried))
                .isEqualTo(FilterReply.DENY);
    }
}
