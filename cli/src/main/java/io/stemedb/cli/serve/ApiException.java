package io.stemedb.cli.serve;

/**
 * A request the pilot server refuses: the HTTP status, a stable machine-readable code, and a
 * message that says what was wrong and how to fix it. Sent as
 * {@code {"error": {"status": 400, "code": "invalid_json", "message": "..."}}}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    /** Extra headers to send with the error (for example Allow on a 405), as name, value pairs. */
    private final String[] headers;

    ApiException(int status, String code, String message, String... headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = headers.clone();
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String[] headers() {
        return headers.clone();
    }
}
