package io.tributary.sinks.search;

import io.tributary.schemas.DeadLetter;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the search job writes: documents to the engine (in bulk, see {@link IndexDocuments}), and
 * what no index can take to the dead-letter topic.
 */
public record SearchSinks(
        SearchClient.Settings engine, IndexDocuments.Bulk bulk, Sink<DeadLetter> rejected) {}
