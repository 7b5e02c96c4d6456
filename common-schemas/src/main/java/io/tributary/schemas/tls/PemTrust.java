package io.tributary.schemas.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS context that trusts the CA certificates of a PEM file and nothing else: how the suite's
 * HTTP clients (search nodes, Flink's REST API) meet servers whose certificates a private CA
 * signed. A CA certificate is public, so its text may travel in a job graph.
 */
public final class PemTrust {
    private PemTrust() {}

    /**
     * The certificates' text, read where the option is parsed.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds none
     */
    public static String read(Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            certificates(text);
            return text;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read CA certificates " + pem + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pem + ": " + e.getMessage(), e);
        }
    }

    /** A context trusting exactly the certificates in {@code pem}. */
    public static SSLContext sslContext(String pem) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates(pem)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot trust these CA certificates: " + e, e);
        }
    }

    private static Collection<? extends Certificate> certificates(String pem) {
        try {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(
                                            pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate in it");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not PEM certificates (" + e.getMessage() + ")", e);
        }
    }
}
