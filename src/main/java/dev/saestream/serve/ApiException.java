package dev.saestream.serve;

/** A request the API refuses: the status and the {@code {error, detail}} body it answers with. */
final class ApiException extends RuntimeException {
    final int status;
    final String error;

    ApiException(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    static ApiException badRequest(String detail) {
        return new ApiException(400, "bad-request", detail);
    }

    static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", detail);
    }
}
