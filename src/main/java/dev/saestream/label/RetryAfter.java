package dev.saestream.label;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The wait a rate-limited or overloaded server asks for. LangChain4j's exceptions carry the status
 * but not the headers, so the JDK client under the chat models is wrapped to note the
 * {@code retry-after-ms} / {@code retry-after} header of a 429 or 5xx answer; the calling thread
 * takes it right after the failed call ({@link #take}). The call is synchronous: the response
 * arrives on the thread that made it.
 */
public final class RetryAfter {
    private static final ThreadLocal<Long> HINT = new ThreadLocal<>();

    private RetryAfter() {}

    /** An HTTP client builder for LangChain4j's chat models that notes the servers' Retry-After. */
    public static HttpClientBuilder httpClientBuilder() {
        return JdkHttpClient.builder().httpClientBuilder(new WatchingBuilder(HttpClient.newBuilder()));
    }

    /** Forgets a hint left by an earlier call on this thread. */
    public static void clear() {
        HINT.remove();
    }

    /** The wait in milliseconds the last failed answer on this thread asked for, if it asked; forgets it. */
    public static OptionalLong take() {
        Long ms = HINT.get();
        HINT.remove();
        return ms == null ? OptionalLong.empty() : OptionalLong.of(ms);
    }

    /**
     * The wait a response's headers ask for, in milliseconds: {@code retry-after-ms} (OpenAI), else
     * {@code retry-after} as seconds or as an HTTP date; empty when absent or unreadable.
     */
    static OptionalLong parse(HttpHeaders headers, long nowMillis) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return nonNegative(Math.round(Double.parseDouble(ms.get().trim())));
            } catch (NumberFormatException e) {
                // fall through to retry-after
            }
        }
        Optional<String> after = headers.firstValue("retry-after");
        if (after.isEmpty()) {
            return OptionalLong.empty();
        }
        String v = after.get().trim();
        try {
            return nonNegative(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant()
                        .toEpochMilli();
                return OptionalLong.of(Math.max(0, at - nowMillis));
            } catch (DateTimeParseException unreadable) {
                return OptionalLong.empty();
            }
        }
    }

    private static OptionalLong nonNegative(long ms) {
        return ms < 0 ? OptionalLong.empty() : OptionalLong.of(ms);
    }

    private static void note(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            OptionalLong ms = parse(response.headers(), System.currentTimeMillis());
            if (ms.isPresent()) {
                HINT.set(ms.getAsLong());
            } else {
                HINT.remove();
            }
        }
    }

    /** The JDK client, noting the hint of every synchronous answer; everything else passes through. */
    private static final class WatchingClient extends HttpClient {
        private final HttpClient delegate;

        WatchingClient(HttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            HttpResponse<T> response = delegate.send(request, handler);
            note(response);
            return response;
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(
                HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            return delegate.sendAsync(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(
                HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            return delegate.sendAsync(request, handler, push);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public Optional<Executor> executor() {
            return delegate.executor();
        }
    }

    /** Builds the JDK client as asked, then wraps it. */
    private record WatchingBuilder(HttpClient.Builder delegate) implements HttpClient.Builder {
        @Override
        public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
            delegate.cookieHandler(cookieHandler);
            return this;
        }

        @Override
        public HttpClient.Builder connectTimeout(Duration duration) {
            delegate.connectTimeout(duration);
            return this;
        }

        @Override
        public HttpClient.Builder sslContext(SSLContext sslContext) {
            delegate.sslContext(sslContext);
            return this;
        }

        @Override
        public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
            delegate.sslParameters(sslParameters);
            return this;
        }

        @Override
        public HttpClient.Builder executor(Executor executor) {
            delegate.executor(executor);
            return this;
        }

        @Override
        public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
            delegate.followRedirects(policy);
            return this;
        }

        @Override
        public HttpClient.Builder version(HttpClient.Version version) {
            delegate.version(version);
            return this;
        }

        @Override
        public HttpClient.Builder priority(int priority) {
            delegate.priority(priority);
            return this;
        }

        @Override
        public HttpClient.Builder proxy(ProxySelector proxySelector) {
            delegate.proxy(proxySelector);
            return this;
        }

        @Override
        public HttpClient.Builder authenticator(Authenticator authenticator) {
            delegate.authenticator(authenticator);
            return this;
        }

        @Override
        public HttpClient build() {
            return new WatchingClient(delegate.build());
        }
    }
}
