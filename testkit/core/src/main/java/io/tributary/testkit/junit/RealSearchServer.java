package io.tributary.testkit.junit;

import io.tributary.testkit.infra.SearchServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Elasticsearch or OpenSearch node shared by the tests of one class:
 * {@code @RegisterExtension static final RealSearchServer SEARCH = new
 * RealSearchServer(Engine.OPENSEARCH_2);}
 */
public final class RealSearchServer implements BeforeAllCallback, AfterAllCallback {
    private final SearchServer.Engine engine;
    private SearchServer server;

    public RealSearchServer(SearchServer.Engine engine) {
        this.engine = engine;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = SearchServer.start(engine);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public String url() {
        if (server == null) {
            throw new IllegalStateException(
                    "RealSearchServer must be a static @RegisterExtension field");
        }
        return server.url();
    }
}
