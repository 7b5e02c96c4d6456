package io.tributary.sinks.search.elasticsearch7;

import io.tributary.sinks.search.SearchEngine;
import io.tributary.sinks.search.SearchJobContract;
import io.tributary.testkit.infra.SearchServer.Engine;
import io.tributary.testkit.junit.RealSearchServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The search job's contract on a real Elasticsearch 7.17 server. */
class Elasticsearch7SearchJobIT extends SearchJobContract {
    @RegisterExtension
    static final RealSearchServer SEARCH = new RealSearchServer(Engine.ELASTICSEARCH_7);

    @Override
    protected String searchUrl() {
        return SEARCH.url();
    }

    @Override
    protected SearchEngine engine() {
        return Elasticsearch7SearchJobMain.ENGINE;
    }
}
