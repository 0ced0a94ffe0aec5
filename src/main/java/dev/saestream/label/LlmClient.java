package dev.saestream.label;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.anthropic.AnthropicTokenUsage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import dev.saestream.formats.Json;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LLM, called through LangChain4j with structured JSON output, under the shared
 * {@link CallLimits}. Each call is metered (the provider's token usage) whatever its outcome.
 * 429, 5xx, time-outs and refused connections are retried with exponential back-off and jitter,
 * or after the wait the server asked for ({@link RetryAfter});
 * an answer that does not parse is asked for again, then given up as a failure with its reason.
 */
public final class LlmClient {
    private static final Logger log = LoggerFactory.getLogger(LlmClient.class);
    private static final Pattern THINKING = Pattern.compile("(?s)<think>.*?</think>");

    private final ChatModel model;
    private final LabelConfig config;
    private final CallLimits limits;
    private final CallLimits.Sleeper sleeper;

    public LlmClient(ChatModel model, LabelConfig config, CallLimits limits, CallLimits.Sleeper sleeper) {
        this.model = model;
        this.config = config;
        this.limits = limits;
        this.sleeper = sleeper;
    }

    public LlmClient(ChatModel model, LabelConfig config, CallLimits limits) {
        this(model, config, limits, Thread::sleep);
    }

    /** The model name recorded in labels and scores. */
    public String modelName() {
        return config.llm().model();
    }

    public String providerName() {
        return config.llm().provider().json();
    }

    /** An answer that does not have the asked-for structure. */
    public static final class MalformedAnswerException extends Exception {
        public MalformedAnswerException(String message) {
            super(message);
        }
    }

    /** Reads the structured answer; throws when it is not what was asked for. */
    @FunctionalInterface
    public interface AnswerParser<T> {
        T parse(JsonNode root) throws MalformedAnswerException;
    }

    /** The parsed answer, or the reason there is none after every retry. */
    public record Answer<T>(T value, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    /** One prompt: instructions, the user message with the data, and the answer's JSON schema. */
    public record Prompt(String system, String user, JsonSchema schema) {}

    public <T> Answer<T> ask(String kind, Prompt prompt, AnswerParser<T> parser, CostMeter meter)
            throws LlmUnavailableException {
        ChatRequest.Builder request =
                ChatRequest.builder().messages(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()));
        if (config.llm().jsonSchema()) {
            request.responseFormat(ResponseFormat.builder()
                    .type(ResponseFormatType.JSON)
                    .jsonSchema(prompt.schema())
                    .build());
        }
        ChatRequest built = request.build();
        int malformed = 0;
        int transientFailures = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                limits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmUnavailableException("interrupted while waiting for the LLM call limits", e);
            }
            long used = 0;
            long start = System.nanoTime();
            RetryAfter.clear();
            try {
                ChatResponse response = model.chat(built);
                Tokens t = Tokens.of(response.tokenUsage());
                used = t.input() + t.output();
                long ms = (System.nanoTime() - start) / 1_000_000;
                try {
                    T value = parser.parse(structured(
                            response.aiMessage() == null
                                    ? null
                                    : response.aiMessage().text()));
                    meter.record(t.call(kind, attempt, ms, "ok"));
                    return new Answer<>(value, null);
                } catch (MalformedAnswerException e) {
                    meter.record(t.call(kind, attempt, ms, "malformed"));
                    log.debug("{} answer malformed (attempt {}): {}", kind, attempt, e.getMessage());
                    if (++malformed > config.llm().malformedRetries()) {
                        return new Answer<>(null, e.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                long ms = (System.nanoTime() - start) / 1_000_000;
                String outcome = transientOutcome(e);
                if (outcome == null) {
                    meter.record(new Cost.Call(kind, attempt, 0, 0, ms, "refused"));
                    if (e instanceof AuthenticationException || e instanceof ModelNotFoundException) {
                        throw new LlmRefusedException(
                                "the " + providerName() + " server refused the "
                                        + (e instanceof AuthenticationException
                                                ? "API key"
                                                : "model '" + modelName() + "'")
                                        + ": " + e.getMessage(),
                                e);
                    }
                    if (e instanceof NonRetriableException) {
                        return new Answer<>(null, "the LLM refused the request: " + e.getMessage());
                    }
                    throw e;
                }
                meter.record(new Cost.Call(kind, attempt, 0, 0, ms, outcome));
                if (++transientFailures > config.llm().maxRetries()) {
                    throw new LlmUnavailableException(
                            "the LLM call (" + kind + ") failed " + transientFailures + " times, last with " + outcome
                                    + ": " + e.getMessage(),
                            e);
                }
                OptionalLong asked = RetryAfter.take();
                long backoff = asked.isPresent()
                        ? Math.max(1, Math.min(config.llm().retryMaxMillis(), asked.getAsLong()))
                        : backoff(transientFailures);
                log.info(
                        "{} call {}: {}; retrying in {} ms{}",
                        kind,
                        outcome,
                        e.getMessage(),
                        backoff,
                        asked.isPresent() ? " (the server asked for " + asked.getAsLong() + " ms)" : "");
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new LlmUnavailableException("interrupted while backing off", ie);
                }
            } finally {
                limits.release(used);
            }
        }
    }

    /**
     * One call's tokens as the provider reported them: input counts every prompt token, cached or not. OpenAI's
     * prompt_tokens include its cached_tokens; Anthropic's input_tokens leave out the cache's reads and writes.
     */
    record Tokens(long input, long output, long cached, long cacheWrite) {
        static Tokens of(TokenUsage usage) {
            if (usage == null) {
                return new Tokens(0, 0, 0, 0);
            }
            long in = orZero(usage.inputTokenCount());
            long out = orZero(usage.outputTokenCount());
            if (usage instanceof AnthropicTokenUsage a) {
                long read = orZero(a.cacheReadInputTokens());
                long written = orZero(a.cacheCreationInputTokens());
                return new Tokens(in + read + written, out, read, written);
            }
            if (usage instanceof OpenAiTokenUsage o && o.inputTokensDetails() != null) {
                return new Tokens(in, out, orZero(o.inputTokensDetails().cachedTokens()), 0);
            }
            return new Tokens(in, out, 0, 0);
        }

        private static long orZero(Integer n) {
            return n == null ? 0 : n;
        }

        Cost.Call call(String kind, int attempt, long millis, String outcome) {
            return new Cost.Call(kind, attempt, input, output, millis, outcome, cached, cacheWrite);
        }
    }

    /** Back-off before retry {@code n} (1-based): initial·2^(n−1), capped, times a jitter in [0.5, 1]. */
    long backoff(int n) {
        double full = Math.min(config.llm().retryMaxMillis(), config.llm().retryInitialMillis() * Math.pow(2, n - 1));
        return Math.max(
                1, (long) (full * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble())));
    }

    /** rate-limited, server-error or timeout for failures worth retrying; null for the others. */
    static String transientOutcome(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RateLimitException) {
                return "rate-limited";
            }
            if (t instanceof TimeoutException
                    || t instanceof HttpTimeoutException
                    || t instanceof java.net.SocketTimeoutException) {
                return "timeout";
            }
            if (t instanceof InternalServerException || t instanceof ConnectException) {
                return "server-error";
            }
            if (t instanceof RetriableException) {
                return "server-error";
            }
            if (t instanceof dev.langchain4j.exception.HttpException h && h.statusCode() >= 500) {
                return "server-error";
            }
        }
        return null;
    }

    /**
     * The JSON object in an answer. Structured output gives it bare; without it models wrap it in
     * prose, code fences or a thinking block, so the outermost braces are taken.
     */
    static JsonNode structured(String text) throws MalformedAnswerException {
        if (text == null || text.isBlank()) {
            throw new MalformedAnswerException("the answer is empty");
        }
        String s = THINKING.matcher(text).replaceAll("");
        int open = s.indexOf('{');
        int close = s.lastIndexOf('}');
        if (open < 0 || close < open) {
            throw new MalformedAnswerException("the answer is not JSON: " + preview(text));
        }
        try {
            JsonNode root = Json.MAPPER.readTree(s.substring(open, close + 1));
            if (root == null || !root.isObject()) {
                throw new MalformedAnswerException("the answer is not a JSON object: " + preview(text));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new MalformedAnswerException(
                    "the answer is not valid JSON (" + e.getOriginalMessage() + "): " + preview(text));
        }
    }

    private static String preview(String text) {
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() <= 80 ? t : t.substring(0, 77) + "...";
    }
}
