package io.tributary.sinks.search;

/**
 * One document for the search index, engine-neutral: the Elasticsearch and OpenSearch sinks turn
 * it into their own client's request. A POJO, so Flink serializes it without Kryo.
 */
public class SearchDocument {
    /** No revision: the document is written as it is (the same id always carries the same content). */
    public static final int UNREVISIONED = -1;

    public String index;
    public String id;
    public String json;
    public int revision;

    public SearchDocument() {}

    public SearchDocument(String index, String id, String json, int revision) {
        this.index = index;
        this.id = id;
        this.json = json;
        this.revision = revision;
    }

    public boolean revisioned() {
        return revision != UNREVISIONED;
    }
}
