package io.tributary.sinks.search;

import io.tributary.jobs.deadletters.DecodeRecords;
import io.tributary.jobs.deadletters.Violation;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The hot tier: alerts and the newest revision of every aggregate as documents in Elasticsearch or
 * OpenSearch, for dashboards and lookups by key.
 *
 * <pre>
 *  raw records ─┬─ alerts topic ─▶ decode + check ─▶ document ─┐
 *               ├─ ...                                          ├─▶ index documents (bulk) ──▶ ES 7 or OpenSearch 2
 *               └─ aggregate topic ─▶ decode + check ─▶ document┘        │ (refused by an index)
 *                          └── dead letters ──────────────────────────────┴─▶ dead-letter topic
 * </pre>
 *
 * <p>The newest revision of a document wins in the engine itself: a revision is the document's
 * external version ({@link BulkRequests}), so an older revision that arrives later, however much
 * later, is refused by the engine and changes nothing. Bulk requests are flushed before every
 * checkpoint barrier (at least once); document ids are natural keys, so a replay overwrites a
 * document with the same content. A document an index refuses is dead-lettered with its record.
 */
public final class SearchJob {
    public static final String JOB = "sinks-search";

    /** Elasticsearch and OpenSearch refuse longer document ids. */
    static final int MAX_ID_BYTES = 512;

    private SearchJob() {}

    public static void build(
            DataStream<RawRecord> input,
            Map<SearchIndex<?>, String> topics,
            String indexPrefix,
            RegistryConnection registry,
            SearchSinks sinks) {
        DataStream<SearchDocument> documents = null;
        DataStream<DeadLetter> deadLetters = null;
        for (Map.Entry<SearchIndex<?>, String> route : topics.entrySet()) {
            SingleOutputStreamOperator<SearchDocument> indexed =
                    documents(input, route.getKey(), route.getValue(), indexPrefix, registry);
            DataStream<DeadLetter> rejected = indexed.getSideOutput(DecodeRecords.DEAD_LETTERS);
            documents = documents == null ? indexed : documents.union(indexed);
            deadLetters = deadLetters == null ? rejected : deadLetters.union(rejected);
        }
        if (documents != null) {
            DataStream<DeadLetter> refused =
                    documents
                            .transform(
                                    "search index (bulk)",
                                    new AvroTypeInfo<>(DeadLetter.class),
                                    new IndexDocuments(sinks.engine(), sinks.bulk(), JOB))
                            .uid("search-index-documents");
            deadLetters
                    .union(refused)
                    .sinkTo(sinks.rejected())
                    .uid("search-dead-letter-sink")
                    .name("dead-letter topic");
        }
    }

    private static <T extends SpecificRecord> SingleOutputStreamOperator<SearchDocument> documents(
            DataStream<RawRecord> input,
            SearchIndex<T> index,
            String topic,
            String indexPrefix,
            RegistryConnection registry) {
        return input.filter(raw -> topic.equals(raw.topic))
                .uid("search-" + index.name() + "-topic")
                .name(index.name() + ": its topic")
                .process(
                        DecodeRecords.keepingRaw(
                                index.type(),
                                registry,
                                index.check(),
                                (raw, record) -> index.document(indexPrefix, record).from(raw),
                                SearchJob::acceptedId,
                                JOB))
                .returns(TypeInformation.of(SearchDocument.class))
                .uid("search-" + index.name() + "-decode")
                .name(index.name() + ": decode and check");
    }

    static Optional<Violation> acceptedId(SearchDocument document) {
        int idBytes = document.id.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes > MAX_ID_BYTES) {
            return Optional.of(
                    new Violation(
                            "id",
                            "the document id (the record's key) is "
                                    + idBytes
                                    + " bytes long; at most "
                                    + MAX_ID_BYTES
                                    + " are accepted"));
        }
        return Optional.empty();
    }
}
