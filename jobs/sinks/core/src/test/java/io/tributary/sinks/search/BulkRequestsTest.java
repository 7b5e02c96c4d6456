package io.tributary.sinks.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BulkRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRevisionIsTheDocumentsExternalVersionSoTheEngineKeepsTheNewest() throws Exception {
        String body =
                BulkRequests.body(
                        List.of(
                                new SearchDocument("t-qoe", "w1", "{\"plays\":3}", 4),
                                new SearchDocument(
                                        "t-alerts",
                                        "a1",
                                        "{\"ruleId\":\"r\"}",
                                        SearchDocument.UNREVISIONED)));

        String[] lines = body.split("\n");
        assertThat(lines).hasSize(4);
        assertThat(JSON.readTree(lines[0]).path("index").path("version").asInt()).isEqualTo(4);
        assertThat(JSON.readTree(lines[0]).path("index").path("version_type").asText())
                .isEqualTo("external_gte");
        assertThat(JSON.readTree(lines[0]).path("index").path("_id").asText()).isEqualTo("w1");
        assertThat(lines[1]).isEqualTo("{\"plays\":3}");
        assertThat(JSON.readTree(lines[2]).path("index").has("version"))
                .as("alerts are not revisioned")
                .isFalse();
        assertThat(body).endsWith("\n");
    }

    @Test
    void eachItemsStatusSaysWhatBecameOfItsDocument() throws Exception {
        String answer =
                """
                {"took":3,"errors":true,"items":[
                  {"index":{"_index":"i","_id":"1","status":201}},
                  {"index":{"_index":"i","_id":"2","status":409,"error":{"type":"version_conflict_engine_exception","reason":"current version [5] is higher"}}},
                  {"index":{"_index":"i","_id":"3","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},
                  {"index":{"_index":"i","_id":"4","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [windowStart]","caused_by":{"type":"illegal_argument_exception","reason":"bad date"}}}},
                  {"index":{"_index":"i","_id":"5","status":503}}
                ]}""";

        List<BulkRequests.Result> results = BulkRequests.results(answer, 5);

        assertThat(results)
                .extracting(BulkRequests.Result::outcome)
                .containsExactly(
                        BulkRequests.Outcome.WRITTEN,
                        BulkRequests.Outcome.STALE,
                        BulkRequests.Outcome.RETRY,
                        BulkRequests.Outcome.REFUSED,
                        BulkRequests.Outcome.RETRY);
        assertThat(results.get(3).error())
                .isEqualTo(
                        "mapper_parsing_exception: failed to parse field [windowStart] (illegal_argument_exception: bad date)");
    }

    @Test
    void anAnswerForAnotherNumberOfDocumentsIsNotTrusted() {
        assertThatThrownBy(() -> BulkRequests.results("{\"items\":[]}", 2))
                .isInstanceOf(IOException.class);
    }
}
