package dev.saestream.label;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the LangChain4j chat model the {@code label} section asks for. Keys come from the
 * environment only; the clients' own retries are off (the labeller retries, and counts each try),
 * and their request and response logging stays off, so a key can not reach a log.
 */
public final class ChatModels {
    /** Public endpoints, used when {@link LabelConfig#baseUrl} is empty. */
    public static final String OPENAI_URL = "https://api.openai.com/v1";
    public static final String ANTHROPIC_URL = "https://api.anthropic.com/v1/";
    public static final String OLLAMA_URL = "http://localhost:11434";

    private ChatModels() {}

    /** The environment variable holding the key for {@code config}'s provider, or null when none is needed. */
    public static String keyVariable(LabelConfig config) {
        if (!config.apiKeyEnv().isEmpty()) {
            return config.apiKeyEnv();
        }
        return switch (config.provider()) {
            case OPENAI -> "OPENAI_API_KEY";
            case ANTHROPIC -> "ANTHROPIC_API_KEY";
            case OLLAMA -> null;
        };
    }

    public static ChatModel create(LabelConfig config, Map<String, String> env) {
        if (config.model().isEmpty()) {
            throw new IllegalArgumentException("label.model is not set: give the model name your "
                    + config.provider().json() + " server serves (config label.model or SAESTREAM_LABEL_MODEL)");
        }
        String keyVar = keyVariable(config);
        String key = keyVar == null ? null : env.get(keyVar);
        Duration timeout = Duration.ofMillis(Math.round(config.timeoutSeconds() * 1000));
        return switch (config.provider()) {
            case OPENAI -> {
                OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                        .baseUrl(url(config, OPENAI_URL))
                        // local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) take any key
                        .apiKey(key == null || key.isEmpty() ? requireKeyUnlessLocal(config, keyVar) : key)
                        .modelName(config.model())
                        .temperature(config.temperature())
                        .strictJsonSchema(config.jsonSchema())
                        .timeout(timeout)
                        .httpClientBuilder(RetryAfter.httpClientBuilder())
                        .maxRetries(0);
                // reasoning models refuse max_tokens; the two are never sent together
                yield (config.maxCompletionTokens() > 0 ? b.maxCompletionTokens(config.maxCompletionTokens())
                        : b.maxTokens(config.maxOutputTokens())).build();
            }
            case ANTHROPIC -> AnthropicChatModel.builder()
                    .baseUrl(url(config, ANTHROPIC_URL))
                    .apiKey(key == null || key.isEmpty() ? requireKeyUnlessLocal(config, keyVar) : key)
                    .modelName(config.model())
                    .temperature(config.temperature())
                    .maxTokens(config.maxOutputTokens())
                    // the instructions are the same for every call of a kind: cache_control on them, so repeats read
                    // them from Anthropic's prompt cache (OpenAI caches a repeated prefix by itself; the system
                    // message comes first for that)
                    .cacheSystemMessages(true)
                    .timeout(timeout)
                    .httpClientBuilder(RetryAfter.httpClientBuilder())
                    .maxRetries(0)
                    .build();
            case OLLAMA -> OllamaChatModel.builder()
                    .baseUrl(url(config, OLLAMA_URL))
                    .modelName(config.model())
                    .temperature(config.temperature())
                    .numPredict(config.maxOutputTokens())
                    .timeout(timeout)
                    .httpClientBuilder(RetryAfter.httpClientBuilder())
                    .maxRetries(0)
                    .build();
        };
    }

    private static String url(LabelConfig config, String fallback) {
        return config.baseUrl().isEmpty() ? fallback : config.baseUrl();
    }

    private static String requireKeyUnlessLocal(LabelConfig config, String keyVar) {
        if (config.baseUrl().isEmpty()) {
            throw new IllegalArgumentException("the " + config.provider().json() + " API needs a key: set the environment"
                    + " variable " + keyVar + " (or name another one in label.apiKeyEnv)");
        }
        return "none";
    }
}
