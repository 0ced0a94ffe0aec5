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
    /** Public endpoints, used when {@link LabelConfig.Llm#baseUrl} is empty. */
    public static final String OPENAI_URL = "https://api.openai.com/v1";

    public static final String ANTHROPIC_URL = "https://api.anthropic.com/v1/";
    public static final String OLLAMA_URL = "http://localhost:11434";

    private ChatModels() {}

    /** The environment variable holding the key for {@code config}'s provider, or null when none is needed. */
    public static String keyVariable(LabelConfig config) {
        if (!config.llm().apiKeyEnv().isEmpty()) {
            return config.llm().apiKeyEnv();
        }
        return switch (config.llm().provider()) {
            case OPENAI -> "OPENAI_API_KEY";
            case ANTHROPIC -> "ANTHROPIC_API_KEY";
            case OLLAMA -> null;
        };
    }

    public static ChatModel create(LabelConfig config, Map<String, String> env) {
        if (config.llm().model().isEmpty()) {
            throw new IllegalArgumentException("label.llm.model is not set: give the model name your "
                    + config.llm().provider().json()
                    + " server serves (config label.llm.model or SAESTREAM_LABEL_LLM_MODEL)");
        }
        String keyVar = keyVariable(config);
        String key = keyVar == null ? null : env.get(keyVar);
        Duration timeout = Duration.ofMillis(Math.round(config.llm().timeoutSeconds() * 1000));
        return switch (config.llm().provider()) {
            case OPENAI -> {
                OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                        .baseUrl(url(config, OPENAI_URL))
                        // local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) take any key
                        .apiKey(key == null || key.isEmpty() ? requireKeyUnlessLocal(config, keyVar) : key)
                        .modelName(config.llm().model())
                        .temperature(config.llm().temperature())
                        .strictJsonSchema(config.llm().jsonSchema())
                        .timeout(timeout)
                        .httpClientBuilder(RetryAfter.httpClientBuilder())
                        .maxRetries(0);
                // reasoning models refuse max_tokens; the two are never sent together
                yield (config.llm().maxCompletionTokens() > 0
                                ? b.maxCompletionTokens(config.llm().maxCompletionTokens())
                                : b.maxTokens(config.llm().maxOutputTokens()))
                        .build();
            }
            case ANTHROPIC ->
                AnthropicChatModel.builder()
                        .baseUrl(url(config, ANTHROPIC_URL))
                        .apiKey(key == null || key.isEmpty() ? requireKeyUnlessLocal(config, keyVar) : key)
                        .modelName(config.llm().model())
                        .temperature(config.llm().temperature())
                        .maxTokens(config.llm().maxOutputTokens())
                        // the instructions are the same for every call of a kind: cache_control on them, so repeats
                        // read
                        // them from Anthropic's prompt cache (OpenAI caches a repeated prefix by itself; the system
                        // message comes first for that)
                        .cacheSystemMessages(true)
                        .timeout(timeout)
                        .httpClientBuilder(RetryAfter.httpClientBuilder())
                        .maxRetries(0)
                        .build();
            case OLLAMA ->
                OllamaChatModel.builder()
                        .baseUrl(url(config, OLLAMA_URL))
                        .modelName(config.llm().model())
                        .temperature(config.llm().temperature())
                        .numPredict(config.llm().maxOutputTokens())
                        .timeout(timeout)
                        .httpClientBuilder(RetryAfter.httpClientBuilder())
                        .maxRetries(0)
                        .build();
        };
    }

    private static String url(LabelConfig config, String fallback) {
        return config.llm().baseUrl().isEmpty() ? fallback : config.llm().baseUrl();
    }

    private static String requireKeyUnlessLocal(LabelConfig config, String keyVar) {
        if (config.llm().baseUrl().isEmpty()) {
            throw new IllegalArgumentException(
                    "the " + config.llm().provider().json() + " API needs a key: set the environment" + " variable "
                            + keyVar + " (or name another one in label.llm.apiKeyEnv)");
        }
        return "none";
    }
}
