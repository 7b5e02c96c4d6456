package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A certificate authority made for one test run, and a server certificate it signed for {@code
 * localhost} and {@code 127.0.0.1}: what the test kit's servers present when a test asks for TLS.
 * Made with the JDK's {@code keytool}, so nothing but the JDK is needed. A second authority gives a
 * truststore that does not trust the first, for tests of an untrusted certificate.
 */
public final class TestCertificates {
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** A new CA and a server certificate in {@code dir}. */
    public static TestCertificates create(Path dir) {
        String password = "test-store-" + Long.toHexString(System.nanoTime());
        TestCertificates certificates = new TestCertificates(dir, password);
        certificates.make();
        return certificates;
    }

    /** The password of every keystore and truststore here. */
    public String storePassword() {
        return password;
    }

    /** PKCS12 truststore holding the CA: what a client trusts. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /**
     * PKCS12 keystore with the server's key and its chain up to the CA. Its certificate is also
     * good for client authentication (extended key usage clientAuth): tests of mutual TLS present
     * it as a client's.
     */
    public Path serverKeystore() {
        return dir.resolve("server.p12");
    }

    /** The CA's certificate, PEM (PostgreSQL's {@code sslrootcert}, curl's {@code --cacert}). */
    public Path caCertificatePem() {
        return dir.resolve("ca.pem");
    }

    /** The server's certificate, PEM. */
    public Path serverCertificatePem() {
        return dir.resolve("server.pem");
    }

    /**
     * The server's private key, PKCS#8 PEM, readable by its owner only (PostgreSQL refuses a key
     * others may read).
     */
    public Path serverKeyPem() {
        return dir.resolve("server.key");
    }

    private void make() {
        try {
            Files.createDirectories(dir);
            keytool(
                    "-genkeypair",
                    "-alias",
                    "ca",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-dname",
                    "CN=Tributary Test CA",
                    "-ext",
                    "bc:c",
                    "-validity",
                    "2",
                    "-keystore",
                    "ca.p12",
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    password);
            keytool(
                    "-exportcert",
                    "-alias",
                    "ca",
                    "-keystore",
                    "ca.p12",
                    "-storepass",
                    password,
                    "-rfc",
                    "-file",
                    "ca.pem");
            keytool(
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-dname",
                    "CN=localhost",
                    "-validity",
                    "2",
                    "-keystore",
                    "server.p12",
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    password);
            keytool(
                    "-certreq",
                    "-alias",
                    "server",
                    "-keystore",
                    "server.p12",
                    "-storepass",
                    password,
                    "-file",
                    "server.csr");
            keytool(
                    "-gencert",
                    "-alias",
                    "ca",
                    "-keystore",
                    "ca.p12",
                    "-storepass",
                    password,
                    "-infile",
                    "server.csr",
                    "-outfile",
                    "server.pem",
                    "-rfc",
                    "-validity",
                    "2",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-ext",
                    "KU=digitalSignature,keyEncipherment",
                    "-ext",
                    "EKU=serverAuth,clientAuth");
            keytool(
                    "-importcert",
                    "-alias",
                    "ca",
                    "-file",
                    "ca.pem",
                    "-keystore",
                    "server.p12",
                    "-storepass",
                    password,
                    "-noprompt");
            keytool(
                    "-importcert",
                    "-alias",
                    "server",
                    "-file",
                    "server.pem",
                    "-keystore",
                    "server.p12",
                    "-storepass",
                    password,
                    "-noprompt");
            keytool(
                    "-importcert",
                    "-alias",
                    "ca",
                    "-file",
                    "ca.pem",
                    "-keystore",
                    "truststore.p12",
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    password,
                    "-noprompt");
            writeServerKeyPem();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeServerKeyPem() throws IOException {
        try (InputStream in = Files.newInputStream(serverKeystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            Key key = store.getKey("server", password.toCharArray());
            String pem =
                    "-----BEGIN PRIVATE KEY-----\n"
                            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                    .encodeToString(key.getEncoded())
                            + "\n-----END PRIVATE KEY-----\n";
            Path file = serverKeyPem();
            Files.writeString(file, pem);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the test server key", e);
        }
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ChildProcess.run(
                "keytool " + args[0], command, dir, dir.resolve("keytool.log"), KEYTOOL_TIMEOUT);
    }
}
