package io.tributary.sinks.search.opensearch2;

import io.tributary.sinks.search.SearchEngine;
import io.tributary.sinks.search.SearchJobMain;

/**
 * {@code flink run tributary-sinks-search-opensearch2-job.jar --search-url http://opensearch:9200
 * --bootstrap-servers ... --registry-url ...}
 */
public final class OpenSearch2SearchJobMain {
    public static final SearchEngine ENGINE = new SearchEngine("OpenSearch 2");

    private OpenSearch2SearchJobMain() {}

    public static void main(String[] args) throws Exception {
        SearchJobMain.run(args, OpenSearch2SearchJobMain.ENGINE);
    }
}
