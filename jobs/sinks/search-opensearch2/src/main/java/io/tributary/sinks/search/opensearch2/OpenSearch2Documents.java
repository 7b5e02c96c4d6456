package io.tributary.sinks.search.opensearch2;

import io.tributary.sinks.search.SearchDocument;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.search.SearchSinkFactory;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.opensearch.sink.FlushBackoffType;
import org.apache.flink.connector.opensearch.sink.Opensearch2SinkBuilder;
import org.apache.flink.connector.opensearch.sink.OpensearchEmitter;
import org.apache.flink.connector.opensearch.sink.RequestIndexer;
import org.apache.http.HttpHost;
import org.opensearch.action.index.IndexRequest;
import org.opensearch.common.xcontent.XContentType;

/** Documents into OpenSearch 2 through flink-connector-opensearch2 (bulk, flushed on every checkpoint). */
public final class OpenSearch2Documents implements SearchSinkFactory {

    @Override
    public String engine() {
        return "OpenSearch 2";
    }

    @Override
    public Sink<SearchDocument> documents(SearchOptions options) {
        Opensearch2SinkBuilder<SearchDocument> builder = new Opensearch2SinkBuilder<SearchDocument>()
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
    static final class DocumentEmitter implements OpensearchEmitter<SearchDocument> {
        private static final long serialVersionUID = 1L;

        @Override
        public void emit(SearchDocument document, SinkWriter.Context context, RequestIndexer indexer) {
            indexer.add(new IndexRequest(document.index).id(document.id).source(document.json, XContentType.JSON));
        }
    }
}
