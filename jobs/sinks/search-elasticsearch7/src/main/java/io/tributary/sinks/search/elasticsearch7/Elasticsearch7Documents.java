package io.tributary.sinks.search.elasticsearch7;

import io.tributary.sinks.search.SearchDocument;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.search.SearchSinkFactory;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.elasticsearch.sink.Elasticsearch7SinkBuilder;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.FlushBackoffType;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.apache.http.HttpHost;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.common.xcontent.XContentType;

/** Documents into Elasticsearch 7 through flink-connector-elasticsearch7 (bulk, flushed on every checkpoint). */
public final class Elasticsearch7Documents implements SearchSinkFactory {

    @Override
    public String engine() {
        return "Elasticsearch 7";
    }

    @Override
    public Sink<SearchDocument> documents(SearchOptions options) {
        Elasticsearch7SinkBuilder<SearchDocument> builder = new Elasticsearch7SinkBuilder<SearchDocument>()
                .setHosts(options.searchUrls.stream().map(HttpHost::create).toArray(HttpHost[]::new))
                .setEmitter(new DocumentEmitter())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setBulkFlushMaxActions(options.bulkMaxActions)
                .setBulkFlushMaxSizeMb(options.bulkMaxSizeMb)
                .setBulkFlushInterval(options.bulkInterval.toMillis())
                .setBulkFlushBackoffStrategy(FlushBackoffType.EXPONENTIAL, options.bulkBackoffRetries,
                        options.bulkBackoffDelay.toMillis());
        if (options.user != null) {
            builder.setConnectionUsername(options.user).setConnectionPassword(options.password);
        }
        return builder.build();
    }

    /** Every document as an index request under its natural key: a replay overwrites it with the same content. */
    static final class DocumentEmitter implements ElasticsearchEmitter<SearchDocument> {
        private static final long serialVersionUID = 1L;

        @Override
        public void emit(SearchDocument document, SinkWriter.Context context, RequestIndexer indexer) {
            indexer.add(new IndexRequest(document.index).id(document.id).source(document.json, XContentType.JSON));
        }
    }
}
