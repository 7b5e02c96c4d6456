package io.tributary.sinks.search.elasticsearch7;

import io.tributary.sinks.search.SearchEngine;
import io.tributary.sinks.search.SearchJobMain;

/**
 * {@code flink run tributary-sinks-search-elasticsearch7-job.jar --search-url http://es:9200
 * --bootstrap-servers ... --registry-url ...}
 */
public final class Elasticsearch7SearchJobMain {
    public static final SearchEngine ENGINE = new SearchEngine("Elasticsearch 7");

    private Elasticsearch7SearchJobMain() {}

    public static void main(String[] args) throws Exception {
        SearchJobMain.run(args, Elasticsearch7SearchJobMain.ENGINE);
    }
}
