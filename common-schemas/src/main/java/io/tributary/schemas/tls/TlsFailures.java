package io.tributary.schemas.tls;

/**
 * Telling a failed TLS handshake from other connection failures, so that the suite's clients can
 * say "give the CA" rather than "unreachable".
 */
public final class TlsFailures {
    private TlsFailures() {}

    /** Whether the TLS handshake failed anywhere in the chain of causes. */
    public static boolean isHandshakeFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message of a failure's causes: for TLS, what the certificate check said. */
    public static String rootMessage(Throwable error) {
        return rootCause(error).getMessage();
    }

    /** The innermost of a failure's causes. */
    public static Throwable rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
