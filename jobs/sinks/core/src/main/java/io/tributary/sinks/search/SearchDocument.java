package io.tributary.sinks.search;

import io.tributary.jobs.kafka.RawRecord;

/**
 * One document for the search index, engine-neutral: the Elasticsearch and OpenSearch sinks turn it
 * into their own client's request. A POJO, so Flink serializes it without Kryo.
 */
public class SearchDocument {
    /**
     * No revision: the document is written as it is (the same id always carries the same content).
     */
    public static final int UNREVISIONED = -1;

    public String index;
    public String id;
    public String json;
    public int revision;

    /** The record the document was made from, for the dead letter if an index refuses it. */
    public RawRecord raw;

    public SearchDocument() {}

    public SearchDocument(String index, String id, String json, int revision) {
        this.index = index;
        this.id = id;
        this.json = json;
        this.revision = revision;
    }

    /** This document, remembering the record it was made from. */
    public SearchDocument from(RawRecord record) {
        this.raw = record;
        return this;
    }

    public boolean revisioned() {
        return revision != UNREVISIONED;
    }
}
