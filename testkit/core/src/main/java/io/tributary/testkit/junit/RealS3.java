package io.tributary.testkit.junit;

import io.tributary.testkit.infra.S3Server;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3-compatible store (s3proxy) shared by the tests of one class: {@code @RegisterExtension
 * static final RealS3 S3 = new RealS3();}
 */
public final class RealS3 implements BeforeAllCallback, AfterAllCallback {
    private S3Server server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = S3Server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public S3Server server() {
        if (server == null) {
            throw new IllegalStateException("RealS3 must be a static @RegisterExtension field");
        }
        return server;
    }
}
