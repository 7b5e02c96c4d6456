package io.tributary.sinks.search;

import io.tributary.schemas.DeadLetter;
import org.apache.flink.api.connector.sink2.Sink;

/** Where the search job writes: documents to the engine, and what no index can take to Kafka. */
public interface SearchSinks {
    Sink<SearchDocument> documents();

    Sink<DeadLetter> rejected();
}
