package io.tributary.sinks.search;

/**
 * The engine a search jar is built and tested for. Both speak the same REST bulk API, which {@link
 * IndexDocuments} uses; the name says which one in messages and job names.
 *
 * @param name for messages: "Elasticsearch 7", "OpenSearch 2"
 */
public record SearchEngine(String name) {}
