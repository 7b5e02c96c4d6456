package io.tributary.sinks.warehouse;

import io.tributary.schemas.tls.TlsFailures;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * Where the warehouse is and how the job proves who it is: the JDBC URL with the TLS settings the
 * options add, the user, and the password (never printed). Used alike by Flyway and the sinks.
 */
public final class DatabaseConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    /** PostgreSQL's {@code sslmode}s, weakest first. */
    public enum SslMode {
        DISABLE,
        ALLOW,
        PREFER,
        REQUIRE,
        VERIFY_CA,
        VERIFY_FULL;

        String jdbcValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final String url;
    private final String user;
    private final String password;

    private DatabaseConnection(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * @param sslMode null to leave it to the URL (pgjdbc's own default is {@code prefer}, which
     *     verifies nothing)
     * @param sslRootCert PEM file of the CA(s) that sign the server's certificate, or null
     * @throws IllegalArgumentException when the URL already sets what an option sets
     */
    public static DatabaseConnection of(
            String jdbcUrl, String user, String password, SslMode sslMode, String sslRootCert) {
        StringBuilder url = new StringBuilder(jdbcUrl);
        if (sslMode != null) {
            append(url, "sslmode", sslMode.jdbcValue());
        }
        if (sslRootCert != null) {
            append(url, "sslrootcert", sslRootCert);
        }
        return new DatabaseConnection(url.toString(), user, password);
    }

    private static void append(StringBuilder url, String parameter, String value) {
        String query = url.indexOf("?") < 0 ? "" : url.substring(url.indexOf("?") + 1);
        for (String part : query.split("&")) {
            if (part.startsWith(parameter + "=")) {
                throw new IllegalArgumentException(
                        "The JDBC URL sets "
                                + parameter
                                + " and so does an option; set it in one place only.");
            }
        }
        url.append(url.indexOf("?") < 0 ? '?' : '&')
                .append(parameter)
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** Null or empty when the server trusts the user without one. */
    public String password() {
        return password;
    }

    /**
     * Connects once, so that an untrusted certificate, a wrong password or a server that refuses
     * unencrypted connections is one clear error when the job is submitted.
     */
    public void verify() {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "30");
        try (Connection ignored = DriverManager.getConnection(url, properties)) {
            // Reaching here is the check.
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private IllegalStateException unreachable(SQLException e) {
        String where = "PostgreSQL at " + withoutQuery(url);
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message;
        if (state.equals("28P01") || state.equals("28000")) {
            message =
                    where
                            + " refused user "
                            + user
                            + " ("
                            + e.getMessage()
                            + "). Check --jdbc-user and the password (--jdbc-password-file, or"
                            + " TRIBUTARY_JDBC_PASSWORD).";
        } else if (causedByTls(e)) {
            message =
                    where
                            + " failed the TLS handshake ("
                            + TlsFailures.rootMessage(e)
                            + "). --jdbc-ssl-root-cert must hold the CA that signed the server's"
                            + " certificate, and with VERIFY_FULL the certificate must name the host"
                            + " in --jdbc-url.";
        } else {
            message = where + " could not be reached: " + e.getMessage();
        }
        return new IllegalStateException(message, e);
    }

    private static boolean causedByTls(SQLException error) {
        // pgjdbc reports some handshake failures only in its message ("SSL error: ...").
        return TlsFailures.isHandshakeFailure(error)
                || String.valueOf(error.getMessage()).contains("SSL");
    }

    private static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    @Override
    public String toString() {
        return withoutQuery(url)
                + " as "
                + user
                + (password == null || password.isEmpty() ? "" : " (password hidden)");
    }
}
