package dev.saestream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class GlobalHandlerNoticeFilterTest {
    @Test
    void onlyTheGlobalHandlerNoticeIsDropped() {
        LoggerContext context = LogCapture.contextWith(new GlobalHandlerNoticeFilter());
        ListAppender<ILoggingEvent> seen = LogCapture.listen(context.getLogger(Logger.ROOT_LOGGER_NAME));

        Logger config = context.getLogger(GlobalHandlerNoticeFilter.LOGGER);
        config.warn(GlobalHandlerNoticeFilter.NOTICE + ". It's recommended to set it.");
        config.warn("Unrecognized config: foo");
        config.error(GlobalHandlerNoticeFilter.NOTICE + " (an error is never dropped)");
        context.getLogger("somewhere.else").warn(GlobalHandlerNoticeFilter.NOTICE);

        assertThat(seen.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        "Unrecognized config: foo",
                        GlobalHandlerNoticeFilter.NOTICE + " (an error is never dropped)",
                        GlobalHandlerNoticeFilter.NOTICE);
    }

    @Test
    void aStageStartsWithoutTheNoticeThatKafkaStreamsWouldLog(@TempDir Path state) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        TurboFilter shipped = KafkaLogFilterTest.shipped(context);
        assertThat(((KafkaLogFilter) shipped).rules()).hasAtLeastOneElementOfType(GlobalHandlerNoticeFilter.class);
        Logger config = context.getLogger(GlobalHandlerNoticeFilter.LOGGER);
        ListAppender<ILoggingEvent> seen = LogCapture.listen(config);
        try {
            constructStage(state.resolve("with"));
            assertThat(notices(seen)).as("with the shipped filter").isEmpty();

            context.getTurboFilterList().remove(shipped);
            constructStage(state.resolve("without"));
            assertThat(notices(seen))
                    .as("Kafka Streams still logs it though StreamsProps turns the handler on")
                    .isNotEmpty();
        } finally {
            if (!context.getTurboFilterList().contains(shipped)) {
                context.addTurboFilter(shipped);
            }
            config.detachAppender(seen);
        }
    }

    /** A stage's KafkaStreams, built from the shared settings; nothing connects before start. */
    private static void constructStage(Path state) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        KafkaStreams streams = new KafkaStreams(
                builder.build(),
                StreamsProps.of(
                        "notice-test", Map.of("bootstrap.servers", "127.0.0.1:1"), 1, 100, state.toString(), null, 0));
        streams.close(Duration.ofSeconds(5));
    }

    private static List<String> notices(ListAppender<ILoggingEvent> seen) {
        return seen.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith(GlobalHandlerNoticeFilter.NOTICE))
                .toList();
    }
}
