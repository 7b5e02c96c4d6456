package io.tributary.testkit.junit;

import io.tributary.testkit.infra.PostgresServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server shared by the tests of one class: {@code @RegisterExtension static final
 * RealPostgres POSTGRES = new RealPostgres();}
 */
public final class RealPostgres implements BeforeAllCallback, AfterAllCallback {
    private PostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = PostgresServer.start(context.getRequiredTestClass().getSimpleName().toLowerCase());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public PostgresServer server() {
        if (server == null) {
            throw new IllegalStateException(
                    "RealPostgres must be a static @RegisterExtension field");
        }
        return server;
    }
}
