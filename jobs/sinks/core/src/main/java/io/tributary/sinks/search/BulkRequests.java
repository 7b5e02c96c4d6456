package io.tributary.sinks.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code _bulk} API that Elasticsearch and OpenSearch share: a request as NDJSON, and what the
 * answer means for each document. Pure; {@link IndexDocuments} sends and acts.
 *
 * <p>A revisioned document is written with {@code version_type=external_gte} and its revision as
 * the version, so the engine itself keeps the newest revision: an older one that arrives later (a
 * replay, a late revision) is refused with 409 and changes nothing, however long after.
 */
final class BulkRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What became of one document of a bulk request. */
    enum Outcome {
        /** Indexed (created or replaced). */
        WRITTEN,
        /** The index holds a newer revision already. */
        STALE,
        /** Overloaded or failing (429, 5xx): send again later. */
        RETRY,
        /**
         * The index refuses this document (mapping conflict, bad value): it will never be taken.
         */
        REFUSED
    }

    record Result(Outcome outcome, int status, String error) {}

    private BulkRequests() {}

    static String body(List<SearchDocument> documents) {
        StringBuilder body = new StringBuilder(documents.size() * 512);
        for (SearchDocument document : documents) {
            ObjectNode action = JSON.createObjectNode();
            ObjectNode index =
                    action.putObject("index").put("_index", document.index).put("_id", document.id);
            if (document.revisioned()) {
                index.put("version", document.revision).put("version_type", "external_gte");
            }
            body.append(action).append('\n').append(document.json).append('\n');
        }
        return body.toString();
    }

    /**
     * @throws IOException if the answer is not a bulk answer for {@code count} documents
     */
    static List<Result> results(String answer, int count) throws IOException {
        JsonNode items = JSON.readTree(answer).path("items");
        if (!items.isArray() || items.size() != count) {
            throw new IOException(
                    "a bulk answer for " + count + " documents holds " + items.size() + " items");
        }
        List<Result> results = new ArrayList<>(count);
        for (JsonNode item : items) {
            Iterator<JsonNode> actions = item.elements();
            JsonNode result = actions.hasNext() ? actions.next() : item;
            int status = result.path("status").asInt();
            results.add(new Result(outcome(status), status, error(result.path("error"))));
        }
        return results;
    }

    static Outcome outcome(int status) {
        if (status / 100 == 2) {
            return Outcome.WRITTEN;
        }
        if (status == 409) {
            return Outcome.STALE;
        }
        if (status == 429 || status >= 500 || status == 0) {
            return Outcome.RETRY;
        }
        return Outcome.REFUSED;
    }

    private static String error(JsonNode error) {
        if (error.isMissingNode() || error.isNull()) {
            return null;
        }
        if (error.isTextual()) {
            return error.textValue();
        }
        String reason = error.path("type").asText("error") + ": " + error.path("reason").asText("");
        JsonNode cause = error.path("caused_by");
        return cause.isObject()
                ? reason
                        + " ("
                        + cause.path("type").asText()
                        + ": "
                        + cause.path("reason").asText()
                        + ")"
                : reason;
    }
}
