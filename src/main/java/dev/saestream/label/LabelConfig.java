package dev.saestream.label;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.saestream.kafka.Topics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code label} section of the configuration, grouped by what a newcomer comes to change: the
 * LLM ({@code label.llm.*}), which windows are sampled ({@code label.sampling.*}), how scorers use
 * them ({@code label.scoring.*}), when a feature is relabelled ({@code label.relabel.*}), what
 * labelling may spend ({@code label.limits.*}) and where it reads and writes
 * ({@code label.topics.*}). Every field has an environment variable: the path in upper snake case,
 * {@code SAESTREAM_LABEL_LLM_BASE_URL} for {@code label.llm.baseUrl}. API keys are not here:
 * {@link Llm#apiKeyEnv} names the environment variable that holds the key, which is read where the
 * client is built.
 *
 * @param explainer   who writes the explanation: {@code offline} (no network) or {@code llm}
 * @param scorers     which scorers run: detection, fuzzing, simulation, intruder (LLM) and embedding (in-process)
 * @param historySize earlier labels kept in each label record
 * @param llm         the LLM and how it is called
 * @param sampling    which windows explain and which score
 * @param scoring     how the scorers use their windows
 * @param relabel     when a feature is labelled again
 * @param limits      what labelling may spend, and how it shares work between instances
 * @param topics      the consumer group and the topics labelling reads and writes
 */
public record LabelConfig(
        ExplainerKind explainer,
        List<ScorerKind> scorers,
        int historySize,
        Llm llm,
        Sampling sampling,
        Scoring scoring,
        Relabelling relabel,
        Limits limits,
        TopicNames topics) {

    public static final String SECTION = "label";

    /** The defaults: offline explainer and embedding scorer, so that labelling works with no network. */
    public static final LabelConfig DEFAULTS = new LabelConfig(
            ExplainerKind.OFFLINE,
            List.of(ScorerKind.EMBEDDING),
            10,
            new Llm(Provider.OPENAI, "", "", "", 0.0, 2048, 0, 60, true, 5, 1000, 60_000, 1),
            new Sampling(20, 20, 5, 50, 50, 0, 5, Map.of(), List.of(), 20, 512),
            new Scoring(10, 20, 5, "all-minilm-l6-v2-q", true),
            new Relabelling(0.5, 2.0, 3600, 10),
            new Limits(1_000_000, 120, 2, 120),
            new TopicNames("saestream-label", Topics.FEATURES, Topics.BACKGROUND, Topics.LABELS, Topics.DLQ));

    public LabelConfig {
        if (explainer == null) {
            throw new IllegalArgumentException("label.explainer must be offline or llm");
        }
        scorers = scorers == null ? List.of() : List.copyOf(scorers);
        if (scorers.isEmpty()) {
            throw new IllegalArgumentException(
                    "label.scorers must name at least one of " + Arrays.toString(ScorerKind.values()));
        }
        atLeast("historySize", historySize, 0);
        for (Object group : new Object[] {llm, sampling, scoring, relabel, limits, topics}) {
            if (group == null) {
                throw new IllegalArgumentException(
                        "label: every group (llm, sampling, scoring, relabel, limits, topics)" + " must be given");
            }
        }
    }

    /**
     * The LLM and how it is called.
     *
     * @param provider            the LLM API: {@code openai} (any OpenAI-compatible server), {@code anthropic}, {@code ollama}
     * @param baseUrl             the provider's base URL; empty for the provider's public default
     * @param model               the model name the provider serves; required when an LLM is used
     * @param apiKeyEnv           the environment variable holding the API key; empty for the provider's usual one
     * @param temperature         sampling temperature of every LLM call
     * @param maxOutputTokens     cap on each LLM answer's tokens (sent as max_tokens, or num_predict to Ollama)
     * @param maxCompletionTokens openai only, for reasoning models (o1, o3, gpt-5, …) that refuse max_tokens: when
     *                            above 0, sent as max_completion_tokens (reasoning tokens included) instead of
     *                            max_tokens; 0 sends max_tokens
     * @param timeoutSeconds      time-out of one LLM call, in seconds (fractions allowed)
     * @param jsonSchema          ask for structured output with a JSON schema (true) or describe the JSON in the prompt only
     * @param maxRetries          retries of one LLM call on 429, 5xx and time-outs
     * @param retryInitialMillis  first back-off; doubles on every retry, with jitter
     * @param retryMaxMillis      longest back-off
     * @param malformedRetries    retries of an LLM call whose answer does not parse
     */
    public record Llm(
            Provider provider,
            String baseUrl,
            String model,
            String apiKeyEnv,
            double temperature,
            int maxOutputTokens,
            int maxCompletionTokens,
            double timeoutSeconds,
            boolean jsonSchema,
            int maxRetries,
            long retryInitialMillis,
            long retryMaxMillis,
            int malformedRetries) {
        public Llm {
            provider = provider == null ? Provider.OPENAI : provider;
            baseUrl = baseUrl == null ? "" : baseUrl.strip();
            model = model == null ? "" : model.strip();
            apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv.strip();
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("label.llm.temperature must be in [0, 2], got " + temperature);
            }
            positive("llm.maxOutputTokens", maxOutputTokens);
            atLeast("llm.maxCompletionTokens", maxCompletionTokens, 0);
            if (maxCompletionTokens > 0 && provider != Provider.OPENAI) {
                throw new IllegalArgumentException(
                        "label.llm.maxCompletionTokens is an OpenAI parameter; with provider " + provider.json()
                                + " set label.llm.maxOutputTokens instead");
            }
            if (!(timeoutSeconds > 0)) {
                throw new IllegalArgumentException("label.llm.timeoutSeconds must be above 0, got " + timeoutSeconds);
            }
            atLeast("llm.maxRetries", maxRetries, 0);
            positive("llm.retryInitialMillis", retryInitialMillis);
            atLeast("llm.retryMaxMillis", retryMaxMillis, retryInitialMillis);
            atLeast("llm.malformedRetries", malformedRetries, 0);
        }

        /** This LLM served by {@code provider} at {@code baseUrl} (empty: the provider's own) as {@code model}. */
        public Llm withServer(Provider provider, String baseUrl, String model) {
            return new Llm(
                    provider,
                    baseUrl,
                    model,
                    apiKeyEnv,
                    temperature,
                    maxOutputTokens,
                    maxCompletionTokens,
                    timeoutSeconds,
                    jsonSchema,
                    maxRetries,
                    retryInitialMillis,
                    retryMaxMillis,
                    malformedRetries);
        }

        public Llm withProvider(Provider provider) {
            return withServer(provider, baseUrl, model);
        }

        public Llm withBaseUrl(String baseUrl) {
            return withServer(provider, baseUrl, model);
        }

        public Llm withModel(String model) {
            return withServer(provider, baseUrl, model);
        }

        public Llm withMaxCompletionTokens(int maxCompletionTokens) {
            return new Llm(
                    provider,
                    baseUrl,
                    model,
                    apiKeyEnv,
                    temperature,
                    maxOutputTokens,
                    maxCompletionTokens,
                    timeoutSeconds,
                    jsonSchema,
                    maxRetries,
                    retryInitialMillis,
                    retryMaxMillis,
                    malformedRetries);
        }

        public Llm withTimeoutSeconds(double timeoutSeconds) {
            return new Llm(
                    provider,
                    baseUrl,
                    model,
                    apiKeyEnv,
                    temperature,
                    maxOutputTokens,
                    maxCompletionTokens,
                    timeoutSeconds,
                    jsonSchema,
                    maxRetries,
                    retryInitialMillis,
                    retryMaxMillis,
                    malformedRetries);
        }

        public Llm withJsonSchema(boolean jsonSchema) {
            return new Llm(
                    provider,
                    baseUrl,
                    model,
                    apiKeyEnv,
                    temperature,
                    maxOutputTokens,
                    maxCompletionTokens,
                    timeoutSeconds,
                    jsonSchema,
                    maxRetries,
                    retryInitialMillis,
                    retryMaxMillis,
                    malformedRetries);
        }

        /** This LLM retrying {@code maxRetries} times, backing off from {@code initialMillis} to at most {@code maxMillis}. */
        public Llm withRetries(int maxRetries, long initialMillis, long maxMillis) {
            return new Llm(
                    provider,
                    baseUrl,
                    model,
                    apiKeyEnv,
                    temperature,
                    maxOutputTokens,
                    maxCompletionTokens,
                    timeoutSeconds,
                    jsonSchema,
                    maxRetries,
                    initialMillis,
                    maxMillis,
                    malformedRetries);
        }

        public Llm withMaxRetries(int maxRetries) {
            return withRetries(maxRetries, retryInitialMillis, retryMaxMillis);
        }

        /** This LLM backing off from {@code initialMillis} to at most {@code maxMillis}, as many times as before. */
        public Llm withBackOff(long initialMillis, long maxMillis) {
            return withRetries(maxRetries, initialMillis, maxMillis);
        }
    }

    /**
     * Which windows explain a feature and which score its explanation.
     *
     * @param explainTop         top windows shown to the explainer
     * @param explainSampled     quantile-stratified reservoir windows shown to the explainer
     * @param quantiles          quantile groups (of the windows' peak activation) for stratified samples
     * @param scoreActivating    held-out activating windows to score on, stratified by quantile
     * @param scoreNonActivating background windows where the feature is zero, to score on
     * @param hardNegatives      background windows where a feature with a similar decoder direction fires and this one is zero
     * @param similarFeatures    how many nearest decoder directions count as similar
     * @param decoders           SAE id to a {@code [d_sae × d_in]} float .npy decoder matrix, for hard negatives
     * @param saes               SAE directories (SAELens format) whose decoders give hard negatives, each for the
     *                           features of its own SAE id
     * @param minWindows         activating windows a feature needs before it is labelled
     * @param splitBlockTokens   the explanation/scoring split is decided per (document, block of this many tokens)
     */
    public record Sampling(
            int explainTop,
            int explainSampled,
            int quantiles,
            int scoreActivating,
            int scoreNonActivating,
            int hardNegatives,
            int similarFeatures,
            Map<String, String> decoders,
            List<String> saes,
            int minWindows,
            int splitBlockTokens) {
        public Sampling {
            decoders = decoders == null ? Map.of() : Map.copyOf(decoders);
            saes = saes == null ? List.of() : List.copyOf(saes);
            positive("sampling.explainTop", explainTop);
            atLeast("sampling.explainSampled", explainSampled, 0);
            positive("sampling.quantiles", quantiles);
            positive("sampling.scoreActivating", scoreActivating);
            positive("sampling.scoreNonActivating", scoreNonActivating);
            atLeast("sampling.hardNegatives", hardNegatives, 0);
            positive("sampling.similarFeatures", similarFeatures);
            positive("sampling.minWindows", minWindows);
            positive("sampling.splitBlockTokens", splitBlockTokens);
        }

        /** This sampling scoring on {@code activating} held-out windows and {@code nonActivating} background ones. */
        public Sampling withScoreWindows(int activating, int nonActivating) {
            return new Sampling(
                    explainTop,
                    explainSampled,
                    quantiles,
                    activating,
                    nonActivating,
                    hardNegatives,
                    similarFeatures,
                    decoders,
                    saes,
                    minWindows,
                    splitBlockTokens);
        }

        /** This sampling with {@code count} hard negatives among the background windows, from the {@code similar} nearest features. */
        public Sampling withHardNegatives(int count, int similar) {
            return new Sampling(
                    explainTop,
                    explainSampled,
                    quantiles,
                    scoreActivating,
                    scoreNonActivating,
                    count,
                    similar,
                    decoders,
                    saes,
                    minWindows,
                    splitBlockTokens);
        }

        /** This sampling with hard negatives from these decoder matrices and SAE directories. */
        public Sampling withDecoders(Map<String, String> decoders, List<String> saes) {
            return new Sampling(
                    explainTop,
                    explainSampled,
                    quantiles,
                    scoreActivating,
                    scoreNonActivating,
                    hardNegatives,
                    similarFeatures,
                    decoders,
                    saes,
                    minWindows,
                    splitBlockTokens);
        }

        public Sampling withMinWindows(int minWindows) {
            return new Sampling(
                    explainTop,
                    explainSampled,
                    quantiles,
                    scoreActivating,
                    scoreNonActivating,
                    hardNegatives,
                    similarFeatures,
                    decoders,
                    saes,
                    minWindows,
                    splitBlockTokens);
        }
    }

    /**
     * How the scorers use their windows.
     *
     * @param examplesPerPrompt           examples per detection and fuzzing prompt
     * @param simulationExamples          scoring examples the simulation scorer uses (half activating), at most
     * @param simulationExamplesPerPrompt examples per simulation prompt
     * @param embeddingModel              in-process embedding model: {@code all-minilm-l6-v2-q} or {@code bge-small-en-v15-q}
     * @param nullBaseline                score a null explanation (another feature's, drawn at random) beside every
     *                                    score, on the same examples; with LLM scorers this doubles the scoring calls
     */
    public record Scoring(
            int examplesPerPrompt,
            int simulationExamples,
            int simulationExamplesPerPrompt,
            String embeddingModel,
            boolean nullBaseline) {
        public Scoring {
            positive("scoring.examplesPerPrompt", examplesPerPrompt);
            atLeast("scoring.simulationExamples", simulationExamples, 2);
            positive("scoring.simulationExamplesPerPrompt", simulationExamplesPerPrompt);
            if (!EmbeddingScorer.MODELS.contains(embeddingModel)) {
                throw new IllegalArgumentException("label.scoring.embeddingModel must be one of "
                        + EmbeddingScorer.MODELS + ", got '" + embeddingModel + "'");
            }
        }

        public Scoring withExamplesPerPrompt(int examplesPerPrompt) {
            return new Scoring(
                    examplesPerPrompt, simulationExamples, simulationExamplesPerPrompt, embeddingModel, nullBaseline);
        }

        public Scoring withNullBaseline(boolean nullBaseline) {
            return new Scoring(
                    examplesPerPrompt, simulationExamples, simulationExamplesPerPrompt, embeddingModel, nullBaseline);
        }
    }

    /**
     * When a labelled feature is labelled again.
     *
     * @param share                  a feature is relabelled when the share of its current top windows that its label
     *                               saw ({@link RelabelPolicy#basisShare}) falls below this
     * @param densityFactor          density ratio (either way) that makes a feature changed
     * @param intervalSeconds        least time between two labels of one feature when an LLM explains (each label costs)
     * @param offlineIntervalSeconds least time between two labels of one feature when the offline explainer explains
     *                               (a label costs milliseconds, so it can follow the stream closely)
     */
    public record Relabelling(double share, double densityFactor, long intervalSeconds, long offlineIntervalSeconds) {
        public Relabelling {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("label.relabel.share must be in (0, 1], got " + share);
            }
            if (!(densityFactor > 1)) {
                throw new IllegalArgumentException("label.relabel.densityFactor must be above 1, got " + densityFactor);
            }
            atLeast("relabel.intervalSeconds", intervalSeconds, 0);
            atLeast("relabel.offlineIntervalSeconds", offlineIntervalSeconds, 0);
        }

        public Relabelling withIntervalSeconds(long intervalSeconds) {
            return new Relabelling(share, densityFactor, intervalSeconds, offlineIntervalSeconds);
        }
    }

    /**
     * What labelling may spend, and how instances hand work over.
     *
     * @param tokensPerHour     LLM token budget (input + output) over any hour; 0 for none
     * @param requestsPerMinute LLM request rate limit; 0 for none
     * @param concurrency       features labelled at once (and so LLM calls in flight)
     * @param handoverSeconds   longest an instance giving up partitions waits for the labels it has in flight
     *                          for them to be written, so that their new owner does not pay for them again
     */
    public record Limits(long tokensPerHour, int requestsPerMinute, int concurrency, int handoverSeconds) {
        public Limits {
            atLeast("limits.tokensPerHour", tokensPerHour, 0);
            atLeast("limits.requestsPerMinute", requestsPerMinute, 0);
            positive("limits.concurrency", concurrency);
            atLeast("limits.handoverSeconds", handoverSeconds, 0);
        }

        public Limits withConcurrency(int concurrency) {
            return new Limits(tokensPerHour, requestsPerMinute, concurrency, handoverSeconds);
        }

        /** These limits with another token budget and request rate (0: none). */
        public Limits withRates(long tokensPerHour, int requestsPerMinute) {
            return new Limits(tokensPerHour, requestsPerMinute, concurrency, handoverSeconds);
        }
    }

    /**
     * The consumer group of the labelling service and its topics.
     *
     * @param groupId    consumer group of the labelling service
     * @param features   topic of feature states
     * @param background topic of background windows
     * @param labels     topic the labels go to
     * @param dlq        topic of refused input
     */
    public record TopicNames(String groupId, String features, String background, String labels, String dlq) {
        public TopicNames {
            for (var name : List.of(groupId, features, background, labels, dlq)) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException(
                            "label.topics: the group id and the topic names must not be empty");
                }
            }
        }

        public TopicNames withGroupId(String groupId) {
            return new TopicNames(groupId, features, background, labels, dlq);
        }
    }

    public LabelConfig withExplainer(ExplainerKind explainer) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withScorers(List<ScorerKind> scorers) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withHistorySize(int historySize) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withLlm(Llm llm) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withSampling(Sampling sampling) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withScoring(Scoring scoring) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withRelabel(Relabelling relabel) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withLimits(Limits limits) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    public LabelConfig withTopics(TopicNames topics) {
        return new LabelConfig(explainer, scorers, historySize, llm, sampling, scoring, relabel, limits, topics);
    }

    /** This config explaining with an LLM served by {@code provider} at {@code baseUrl} as {@code model}. */
    public LabelConfig withLlmExplainer(Provider provider, String baseUrl, String model) {
        return withExplainer(ExplainerKind.LLM).withLlm(llm.withServer(provider, baseUrl, model));
    }

    /** Least time between two labels of one feature, by what the explainer costs. */
    public long relabelIntervalMillis() {
        return 1000 * (explainer == ExplainerKind.LLM ? relabel.intervalSeconds() : relabel.offlineIntervalSeconds());
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
        OFFLINE,
        LLM;

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
        DETECTION,
        FUZZING,
        SIMULATION,
        INTRUDER,
        EMBEDDING;

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
        OPENAI,
        ANTHROPIC,
        OLLAMA;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Provider of(String s) {
            return parse(values(), s, "label.llm.provider");
        }
    }

    private static <E extends Enum<E>> E parse(E[] values, String s, String field) {
        for (E e : values) {
            if (e.name().equalsIgnoreCase(s == null ? "" : s.strip())) {
                return e;
            }
        }
        throw new IllegalArgumentException(field + " must be one of "
                + Arrays.stream(values)
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .toList() + ", got '" + s + "'");
    }
}
