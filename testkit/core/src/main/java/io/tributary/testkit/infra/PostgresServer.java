package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the machine's own installation (Debian's {@code postgresql}
 * package: {@code apt-get install postgresql}), in a fresh data directory on a free port, with
 * trust authentication for the user {@value #USER} on loopback only.
 *
 * <p>It can be {@link #stop() stopped} and {@link #start() started} again on the same port and
 * data, which is how tests take the database away from a running job.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "tributary";
    public static final String DATABASE = "tributary";

    private final Path home;
    private final Path binaries;
    private final int port;
    private final Unprivileged account = Unprivileged.as("postgres");
    private final boolean tls;
    private ChildProcess process;

    private PostgresServer(Path home, Path binaries, int port, boolean tls) {
        this.home = home;
        this.binaries = binaries;
        this.port = port;
        this.tls = tls;
    }

    /** Initialises a new cluster with the database {@value #DATABASE} and starts it. */
    public static PostgresServer start(String name) {
        return start(name, null, null);
    }

    /**
     * As {@link #start(String)}, configured as a production server is: TCP connections only over
     * TLS ({@code ssl=on}, a certificate of {@code certificates}' CA for 127.0.0.1) and only with
     * {@value #USER}'s password (SCRAM); unencrypted connections are refused.
     */
    public static PostgresServer startWithTls(
            String name, TestCertificates certificates, String password) {
        return start(name, certificates, password);
    }

    private static PostgresServer start(
            String name, TestCertificates certificates, String password) {
        Path home = TempDirs.create("pg-" + name);
        PostgresServer server =
                new PostgresServer(home, binaries(), FreePorts.next(), certificates != null);
        try {
            if (certificates != null) {
                server.copyCertificates(certificates);
            }
            server.account.own(home, home.resolve("chown.log"));
            ChildProcess.run(
                    "initdb",
                    server.account.command(
                            List.of(
                                    server.binary("initdb"),
                                    "-D",
                                    server.data().toString(),
                                    "-U",
                                    USER,
                                    "--auth=trust",
                                    "-E",
                                    "UTF8",
                                    "--locale=C",
                                    "--no-sync")),
                    home,
                    home.resolve("initdb.log"),
                    Duration.ofMinutes(2));
            if (certificates != null) {
                server.requireTlsAndPasswords();
            }
            server.start();
            server.createDatabase(DATABASE);
            if (password != null) {
                server.psql(
                        "ALTER USER " + USER + " PASSWORD '" + password.replace("'", "''") + "'");
            }
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Starts the server again after {@link #stop()}, on the same port and data. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process =
                ChildProcess.start(
                        "postgres",
                        account.command(
                                List.of(
                                        binary("postgres"),
                                        "-D",
                                        data().toString(),
                                        "-p",
                                        Integer.toString(port),
                                        "-k",
                                        home.toString(),
                                        "-c",
                                        "listen_addresses=127.0.0.1",
                                        // A test database: durability across a machine crash is not
                                        // the point.
                                        "-c",
                                        "fsync=off",
                                        "-c",
                                        "synchronous_commit=off",
                                        "-c",
                                        "full_page_writes=off",
                                        "-c",
                                        "max_connections=200",
                                        "-c",
                                        "ssl=" + (tls ? "on" : "off"),
                                        "-c",
                                        "ssl_cert_file=" + home.resolve("tls/server.pem"),
                                        "-c",
                                        "ssl_key_file=" + home.resolve("tls/server.key"))),
                        home,
                        home.resolve("postgres.log"));
        awaitListening(Duration.ofSeconds(60));
    }

    /** A fast shutdown: open connections are cut, as when a database host goes away. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        ChildProcess.run(
                "pg_ctl stop",
                account.command(
                        List.of(
                                binary("pg_ctl"),
                                "stop",
                                "-D",
                                data().toString(),
                                "-m",
                                "fast",
                                "-w")),
                home,
                home.resolve("pg_ctl.log"),
                Duration.ofMinutes(1));
        process.close();
        process = null;
    }

    /**
     * A new, empty database (tests that must not see each other's tables); returns its JDBC URL.
     */
    public String createDatabase(String name) {
        runClient("createdb", name);
        return jdbcUrl(name);
    }

    private void copyCertificates(TestCertificates certificates) {
        try {
            Path dir = Files.createDirectories(home.resolve("tls"));
            Files.copy(certificates.serverCertificatePem(), dir.resolve("server.pem"));
            Path key = Files.copy(certificates.serverKeyPem(), dir.resolve("server.key"));
            // PostgreSQL refuses a key that others may read.
            Files.setPosixFilePermissions(
                    key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireTlsAndPasswords() {
        String rules =
                "local all all trust\n"
                        + "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                        + "hostnossl all all 127.0.0.1/32 reject\n";
        try {
            Files.writeString(data().resolve("pg_hba.conf"), rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void psql(String sql) {
        runClient("psql", "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-c", sql);
    }

    /** A client program of the installation, as the superuser, through the server's socket. */
    private void runClient(String program, String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(binary(program));
        // The socket: trusted locally, whatever TCP requires.
        command.addAll(List.of("-h", home.toString(), "-p", Integer.toString(port), "-U", USER));
        command.addAll(List.of(args));
        ChildProcess.run(
                program, command, home, home.resolve(program + ".log"), Duration.ofMinutes(1));
    }

    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return USER;
    }

    public int port() {
        return port;
    }

    /** The command line an analyst types to look at the tables. */
    public String psqlCommand() {
        return "psql -h 127.0.0.1 -p " + port + " -U " + USER + " " + DATABASE;
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            if (process != null) {
                process.close();
            }
        } finally {
            TempDirs.delete(home);
        }
    }

    private Path data() {
        return home.resolve("data");
    }

    private String binary(String name) {
        return binaries.resolve(name).toString();
    }

    private void awaitListening(Duration timeout) {
        process.awaitAlive(
                "PostgreSQL listening on " + port,
                timeout,
                () -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** The newest PostgreSQL installed under /usr/lib/postgresql, or $TRIBUTARY_PG_BIN. */
    static Path binaries() {
        String configured = System.getenv("TRIBUTARY_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest =
                        versions.map(v -> v.resolve("bin"))
                                .filter(bin -> Files.isExecutable(bin.resolve("postgres")))
                                .max(Comparator.comparingInt(bin -> majorVersion(bin.getParent())));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException(
                "No PostgreSQL server found under "
                        + root
                        + ": install it (apt-get install -y postgresql) or set TRIBUTARY_PG_BIN to its bin directory");
    }

    private static int majorVersion(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
