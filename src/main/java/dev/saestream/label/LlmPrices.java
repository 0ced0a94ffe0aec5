package dev.saestream.label;

/**
 * The {@code prices} section of the configuration: what the LLM charges, in dollars per million
 * tokens, for the cost estimate of {@code label --reprocess}. Zero means not configured; the
 * estimate then gives tokens but no dollars.
 *
 * @param inputPerMillion  dollars per million prompt tokens
 * @param outputPerMillion dollars per million answer tokens
 */
public record LlmPrices(double inputPerMillion, double outputPerMillion) {
    public static final LlmPrices DEFAULTS = new LlmPrices(0, 0);

    public LlmPrices {
        if (!(inputPerMillion >= 0) || !(outputPerMillion >= 0)) {
            throw new IllegalArgumentException(
                    "prices.inputPerMillion and prices.outputPerMillion must be at least 0, got " + inputPerMillion
                            + " and " + outputPerMillion);
        }
    }

    public boolean configured() {
        return inputPerMillion > 0 || outputPerMillion > 0;
    }

    public double dollars(long inputTokens, long outputTokens) {
        return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1e6;
    }

    public LlmPrices withInputPerMillion(double inputPerMillion) {
        return new LlmPrices(inputPerMillion, outputPerMillion);
    }

    public LlmPrices withOutputPerMillion(double outputPerMillion) {
        return new LlmPrices(inputPerMillion, outputPerMillion);
    }
}
