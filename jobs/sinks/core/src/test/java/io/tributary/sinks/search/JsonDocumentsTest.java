package io.tributary.sinks.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.alerts.Alert;
import io.tributary.sinks.SampleRecords;
import org.junit.jupiter.api.Test;

class JsonDocumentsTest {

    @Test
    void timesAreIsoStringsEnumsAreNamesAndNullableUnionsArePlainValues() {
        QoeMinute qoe = SampleRecords.qoe(4, 1);
        JsonNode json = JsonDocuments.toNode(qoe);
        assertThat(json.path("windowStart").asText()).isEqualTo("2026-03-01T10:04:00Z");
        assertThat(json.path("deviceClass").asText()).isEqualTo(qoe.getDeviceClass().name());
        assertThat(json.path("rebufferRatio").asDouble()).isEqualTo(4 / 64.0);
        assertThat(json.path("startupTimeP95Ms").isNull()).isTrue();
        assertThat(json.path("plays").asLong()).isEqualTo(qoe.getPlays());
    }

    @Test
    void mapsAndListsStayStructured() {
        Alert alert = SampleRecords.alert(3);
        JsonNode json = JsonDocuments.toNode(alert);
        assertThat(json.path("details").path("count").asText()).isEqualTo("3");
        assertThat(json.path("matchedEventIds").size()).isEqualTo(2);
        assertThat(json.path("severity").asText()).isEqualTo("HIGH");
    }

    @Test
    void documentIdsAreNaturalKeys() {
        QoeMinute qoe = SampleRecords.qoe(4, 1);
        SearchDocument document = SearchIndex.QOE_MINUTE.document("tributary-", qoe);
        assertThat(document.index).isEqualTo("tributary-qoe-minute");
        assertThat(document.id)
                .isEqualTo(
                        qoe.getWindowStart().toEpochMilli()
                                + "|title-4|fastly|eu-west|"
                                + qoe.getDeviceClass());
        assertThat(document.revision).isEqualTo(1);
        assertThat(SearchIndex.ALERTS.document("tributary-", SampleRecords.alert(1)).revisioned())
                .isFalse();
    }
}
