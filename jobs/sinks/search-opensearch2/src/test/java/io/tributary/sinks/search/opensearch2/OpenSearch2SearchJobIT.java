package io.tributary.sinks.search.opensearch2;

import io.tributary.sinks.search.SearchEngine;
import io.tributary.sinks.search.SearchJobContract;
import io.tributary.testkit.infra.SearchServer.Engine;
import io.tributary.testkit.junit.RealSearchServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The search job's contract on a real OpenSearch 2.19 server. */
class OpenSearch2SearchJobIT extends SearchJobContract {
    @RegisterExtension
    static final RealSearchServer SEARCH = new RealSearchServer(Engine.OPENSEARCH_2);

    @Override
    protected String searchUrl() {
        return SEARCH.url();
    }

    @Override
    protected SearchEngine engine() {
        return OpenSearch2SearchJobMain.ENGINE;
    }
}
