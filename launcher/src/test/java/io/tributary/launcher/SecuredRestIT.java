package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.infra.AuthenticatingProxy;
import io.tributary.testkit.infra.TestCertificates;
import io.tributary.testkit.junit.RealFlinkCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against a real standalone cluster whose REST API sits behind HTTPS (a certificate of
 * a test CA) and a proxy that wants a bearer token, as clusters exposed beyond one machine do: with
 * the CA and the token it lists jobs and uploads a jar (multipart, as {@code submit} does); without
 * either it fails with an error that says which option is missing.
 */
class SecuredRestIT {
    @RegisterExtension static final RealFlinkCluster FLINK = new RealFlinkCluster(1);

    private static final String TOKEN = "rest-token-" + Long.toHexString(System.nanoTime());

    @TempDir static Path dir;

    private static TestCertificates certificates;
    private static AuthenticatingProxy proxy;
    private static Path tokenFile;

    @BeforeAll
    static void secureTheRestApi() throws Exception {
        certificates = TestCertificates.create(dir.resolve("ca"));
        proxy = AuthenticatingProxy.bearerToken(FLINK.cluster().restUrl(), certificates, TOKEN);
        tokenFile = dir.resolve("authorization");
        Files.writeString(tokenFile, "Bearer " + TOKEN + "\n");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void withTheCaAndTheTokenTheLauncherListsJobsAndUploadsJars() throws Exception {
        Result list =
                cli(
                        "list",
                        "--rest",
                        proxy.url(),
                        "--rest-ca",
                        certificates.caCertificatePem().toString(),
                        "--rest-authorization-file",
                        tokenFile.toString());

        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("JOB ID");
        assertThat(list.out() + list.err()).doesNotContain(TOKEN);

        FlinkRest rest =
                new FlinkRest(proxy.url(), certificates.caCertificatePem(), "Bearer " + TOKEN);
        String jarId = rest.upload(emptyJar());
        assertThat(jarId).endsWith(".jar");
        rest.deleteJar(jarId);
    }

    @Test
    void withoutTheTokenTheErrorNamesTheOption() {
        Result list =
                cli(
                        "list",
                        "--rest",
                        proxy.url(),
                        "--rest-ca",
                        certificates.caCertificatePem().toString());

        assertThat(list.exit()).isEqualTo(1);
        assertThat(list.err())
                .contains("refused the request (HTTP 401)")
                .contains("--rest-authorization-file");
    }

    @Test
    void withoutTheCaTheErrorNamesTheOption() {
        Result list =
                cli(
                        "list",
                        "--rest",
                        proxy.url(),
                        "--rest-authorization-file",
                        tokenFile.toString());

        assertThat(list.exit()).isEqualTo(1);
        assertThat(list.err()).contains("TLS handshake").contains("--rest-ca");
        assertThat(list.err()).doesNotContain(TOKEN);
    }

    private record Result(int exit, String out, String err) {}

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ClusterCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static Path emptyJar() throws Exception {
        Path jar = dir.resolve("upload-check.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            // A manifest is all an upload needs.
        }
        return jar;
    }
}
