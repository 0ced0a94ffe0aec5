package dev.saestream.serve;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the stages running in this JVM (inside {@code run}) tell the server beyond the topics: their
 * live counters and meters. A standalone {@code serve} has none ({@link #NONE}) and shows what Kafka
 * tells it.
 */
public interface LocalStages {
    LocalStages NONE = new LocalStages() {};

    /** Documents this SAE's catalogue has seen in total, or null when not known here. */
    default Long documents(String saeId) {
        return null;
    }

    /** Tokens the encode stage in this JVM has encoded since it started, or null. */
    default Long tokensEncoded() {
        return null;
    }

    /** The labeller in this JVM, or null when it does not run here. */
    default LabelFigures labels() {
        return null;
    }

    /** Registers the stages' meters (Kafka Streams and client metrics, their counters); closes what it started. */
    default AutoCloseable bindMetrics(MeterRegistry registry) {
        return () -> {};
    }

    /**
     * The labeller's figures since this process started it.
     *
     * @param pending      features waiting for a label or being labelled
     * @param calls        LLM calls made
     * @param inputTokens  LLM input tokens
     * @param outputTokens LLM output tokens
     */
    record LabelFigures(long pending, long calls, long inputTokens, long outputTokens) {}
}
