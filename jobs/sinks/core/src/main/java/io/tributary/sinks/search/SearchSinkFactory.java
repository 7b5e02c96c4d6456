package io.tributary.sinks.search;

import org.apache.flink.api.connector.sink2.Sink;

/** The engine's bulk sink; one implementation per connector jar (their clients cannot share a classpath). */
public interface SearchSinkFactory {
    /** For messages: "Elasticsearch 7", "OpenSearch 2". */
    String engine();

    Sink<SearchDocument> documents(SearchOptions options);
}
