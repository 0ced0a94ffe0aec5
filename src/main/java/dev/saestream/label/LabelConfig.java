package dev.saestream.label;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.saestream.kafka.Topics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code label} section of the configuration. Flat, so that every field has an environment
 * variable ({@code SAESTREAM_LABEL_BASE_URL}, …). API keys are not here: {@link #apiKeyEnv} names
 * the environment variable that holds the key, which is read where the client is built.
 *
 * @param explainer            who writes the explanation: {@code offline} (no network) or {@code llm}
 * @param scorers              which scorers run: detection, fuzzing, simulation, intruder (LLM) and embedding (in-process)
 * @param provider             the LLM API: {@code openai} (any OpenAI-compatible server), {@code anthropic}, {@code ollama}
 * @param baseUrl              the provider's base URL; empty for the provider's public default
 * @param model                the model name the provider serves; required when an LLM is used
 * @param apiKeyEnv            the environment variable holding the API key; empty for the provider's usual one
 * @param temperature          sampling temperature of every LLM call
 * @param maxOutputTokens      cap on each LLM answer's tokens (sent as max_tokens, or num_predict to Ollama)
 * @param maxCompletionTokens  openai only, for reasoning models (o1, o3, gpt-5, …) that refuse max_tokens: when
 *                             above 0, sent as max_completion_tokens (reasoning tokens included) instead of
 *                             max_tokens; 0 sends max_tokens
 * @param timeoutSeconds       time-out of one LLM call, in seconds (fractions allowed)
 * @param jsonSchema           ask for structured output with a JSON schema (true) or describe the JSON in the prompt only
 * @param explainTop           top windows shown to the explainer
 * @param explainSampled       quantile-stratified reservoir windows shown to the explainer
 * @param quantiles            quantile groups (of the windows' peak activation) for stratified samples
 * @param scoreActivating      held-out activating windows to score on, stratified by quantile
 * @param scoreNonActivating   background windows where the feature is zero, to score on
 * @param hardNegatives        background windows where a feature with a similar decoder direction fires and this one is zero
 * @param similarFeatures      how many nearest decoder directions count as similar
 * @param decoders             SAE id to a {@code [d_sae × d_in]} float .npy decoder matrix, for hard negatives
 * @param saes                 SAE directories (SAELens format) whose decoders give hard negatives, each for the
 *                             features of its own SAE id
 * @param examplesPerPrompt    examples per detection and fuzzing prompt
 * @param simulationExamples   scoring examples the simulation scorer uses (half activating), at most
 * @param simulationExamplesPerPrompt examples per simulation prompt
 * @param embeddingModel       in-process embedding model: {@code all-minilm-l6-v2-q} or {@code bge-small-en-v15-q}
 * @param minWindows           activating windows a feature needs before it is labelled
 * @param relabelShare         a feature is relabelled when the share of its current top windows that its label
 *                             saw ({@link RelabelPolicy#basisShare}) falls below this
 * @param relabelDensityFactor density ratio (either way) that makes a feature changed
 * @param relabelIntervalSeconds least time between two labels of one feature when an LLM explains (each label costs)
 * @param offlineRelabelIntervalSeconds least time between two labels of one feature when the offline explainer
 *                             explains (a label costs milliseconds, so it can follow the stream closely)
 * @param nullBaseline         score a null explanation (another feature's, drawn at random) beside every score,
 *                             on the same examples; with LLM scorers this doubles the scoring calls
 * @param tokensPerHour        LLM token budget (input + output) over any hour; 0 for none
 * @param requestsPerMinute    LLM request rate limit; 0 for none
 * @param concurrency          features labelled at once (and so LLM calls in flight)
 * @param handoverSeconds      longest an instance giving up partitions waits for the labels it has in flight
 *                             for them to be written, so that their new owner does not pay for them again
 * @param maxRetries           retries of one LLM call on 429, 5xx and time-outs
 * @param retryInitialMillis   first back-off; doubles on every retry, with jitter
 * @param retryMaxMillis       longest back-off
 * @param malformedRetries     retries of an LLM call whose answer does not parse
 * @param historySize          earlier labels kept in each label record
 * @param splitBlockTokens     the explanation/scoring split is decided per (document, block of this many tokens)
 * @param groupId              consumer group of the labelling service
 * @param featuresTopic        topic of feature states
 * @param backgroundTopic      topic of background windows
 * @param labelsTopic          topic the labels go to
 * @param dlqTopic             topic of refused input
 */
public record LabelConfig(
        ExplainerKind explainer,
        List<ScorerKind> scorers,
        Provider provider,
        String baseUrl,
        String model,
        String apiKeyEnv,
        double temperature,
        int maxOutputTokens,
        int maxCompletionTokens,
        double timeoutSeconds,
        boolean jsonSchema,
        int explainTop,
        int explainSampled,
        int quantiles,
        int scoreActivating,
        int scoreNonActivating,
        int hardNegatives,
        int similarFeatures,
        Map<String, String> decoders,
        List<String> saes,
        int examplesPerPrompt,
        int simulationExamples,
        int simulationExamplesPerPrompt,
        String embeddingModel,
        int minWindows,
        double relabelShare,
        double relabelDensityFactor,
        long relabelIntervalSeconds,
        long offlineRelabelIntervalSeconds,
        boolean nullBaseline,
        long tokensPerHour,
        int requestsPerMinute,
        int concurrency,
        int handoverSeconds,
        int maxRetries,
        long retryInitialMillis,
        long retryMaxMillis,
        int malformedRetries,
        int historySize,
        int splitBlockTokens,
        String groupId,
        String featuresTopic,
        String backgroundTopic,
        String labelsTopic,
        String dlqTopic) {

    /** The defaults: offline explainer and embedding scorer, so that labelling works with no network. */
    public static final LabelConfig DEFAULTS = new LabelConfig(
            ExplainerKind.OFFLINE, List.of(ScorerKind.EMBEDDING), Provider.OPENAI, "", "", "",
            0.0, 2048, 0, 60, true,
            20, 20, 5, 50, 50, 0, 5, Map.of(), List.of(),
            10, 20, 5, "all-minilm-l6-v2-q",
            20, 0.5, 2.0, 3600, 10, true,
            1_000_000, 120, 2, 120, 5, 1000, 60_000, 1, 10, 512,
            "saestream-label", Topics.FEATURES, Topics.BACKGROUND, Topics.LABELS, Topics.DLQ);

    public LabelConfig {
        if (explainer == null) {
            throw new IllegalArgumentException("label.explainer must be offline or llm");
        }
        scorers = scorers == null ? List.of() : List.copyOf(scorers);
        if (scorers.isEmpty()) {
            throw new IllegalArgumentException("label.scorers must name at least one of " + Arrays.toString(ScorerKind.values()));
        }
        provider = provider == null ? Provider.OPENAI : provider;
        baseUrl = baseUrl == null ? "" : baseUrl.strip();
        model = model == null ? "" : model.strip();
        apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv.strip();
        decoders = decoders == null ? Map.of() : Map.copyOf(decoders);
        saes = saes == null ? List.of() : List.copyOf(saes);
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("label.temperature must be in [0, 2], got " + temperature);
        }
        positive("maxOutputTokens", maxOutputTokens);
        atLeast("maxCompletionTokens", maxCompletionTokens, 0);
        if (maxCompletionTokens > 0 && provider != Provider.OPENAI) {
            throw new IllegalArgumentException("label.maxCompletionTokens is an OpenAI parameter; with provider "
                    + provider.json() + " set label.maxOutputTokens instead");
        }
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("label.timeoutSeconds must be above 0, got " + timeoutSeconds);
        }
        positive("explainTop", explainTop);
        atLeast("explainSampled", explainSampled, 0);
        positive("quantiles", quantiles);
        positive("scoreActivating", scoreActivating);
        positive("scoreNonActivating", scoreNonActivating);
        atLeast("hardNegatives", hardNegatives, 0);
        positive("similarFeatures", similarFeatures);
        positive("examplesPerPrompt", examplesPerPrompt);
        atLeast("simulationExamples", simulationExamples, 2);
        positive("simulationExamplesPerPrompt", simulationExamplesPerPrompt);
        if (!EmbeddingScorer.MODELS.contains(embeddingModel)) {
            throw new IllegalArgumentException("label.embeddingModel must be one of " + EmbeddingScorer.MODELS
                    + ", got '" + embeddingModel + "'");
        }
        positive("minWindows", minWindows);
        if (!(relabelShare > 0 && relabelShare <= 1)) {
            throw new IllegalArgumentException("label.relabelShare must be in (0, 1], got " + relabelShare);
        }
        if (!(relabelDensityFactor > 1)) {
            throw new IllegalArgumentException("label.relabelDensityFactor must be above 1, got " + relabelDensityFactor);
        }
        atLeast("relabelIntervalSeconds", relabelIntervalSeconds, 0);
        atLeast("offlineRelabelIntervalSeconds", offlineRelabelIntervalSeconds, 0);
        atLeast("tokensPerHour", tokensPerHour, 0);
        atLeast("requestsPerMinute", requestsPerMinute, 0);
        positive("concurrency", concurrency);
        atLeast("handoverSeconds", handoverSeconds, 0);
        atLeast("maxRetries", maxRetries, 0);
        positive("retryInitialMillis", retryInitialMillis);
        atLeast("retryMaxMillis", retryMaxMillis, retryInitialMillis);
        atLeast("malformedRetries", malformedRetries, 0);
        atLeast("historySize", historySize, 0);
        positive("splitBlockTokens", splitBlockTokens);
        for (var topic : List.of(groupId, featuresTopic, backgroundTopic, labelsTopic, dlqTopic)) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("label.groupId and the label topic names must not be empty");
            }
        }
    }

    /** Least time between two labels of one feature, by what the explainer costs. */
    public long relabelIntervalMillis() {
        return 1000 * (explainer == ExplainerKind.LLM ? relabelIntervalSeconds : offlineRelabelIntervalSeconds);
    }

    /** True when any part of labelling calls an LLM. */
    public boolean usesLlm() {
        return explainer == ExplainerKind.LLM || scorers.stream().anyMatch(ScorerKind::usesLlm);
    }

    private static void positive(String field, long value) {
        atLeast(field, value, 1);
    }

    private static void atLeast(String field, long value, long least) {
        if (value < least) {
            throw new IllegalArgumentException("label." + field + " must be at least " + least + ", got " + value);
        }
    }

    /** Who writes explanations. */
    public enum ExplainerKind {
        OFFLINE, LLM;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static ExplainerKind of(String s) {
            return parse(values(), s, "label.explainer");
        }
    }

    /** The scorers; all but embedding ask an LLM. */
    public enum ScorerKind {
        DETECTION, FUZZING, SIMULATION, INTRUDER, EMBEDDING;

        public boolean usesLlm() {
            return this != EMBEDDING;
        }

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static ScorerKind of(String s) {
            return parse(values(), s, "label.scorers");
        }
    }

    /** LLM APIs, each through its LangChain4j client. */
    public enum Provider {
        OPENAI, ANTHROPIC, OLLAMA;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Provider of(String s) {
            return parse(values(), s, "label.provider");
        }
    }

    private static <E extends Enum<E>> E parse(E[] values, String s, String field) {
        for (E e : values) {
            if (e.name().equalsIgnoreCase(s == null ? "" : s.strip())) {
                return e;
            }
        }
        throw new IllegalArgumentException(field + " must be one of "
                + Arrays.stream(values).map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ", got '" + s + "'");
    }
}
