package io.tributary.sinks.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class KeepNewestRevisionTest {
    private static final Duration RETENTION = Duration.ofHours(1);

    @Test
    void anOlderRevisionArrivingLateIsDroppedAndTheStateExpires() throws Exception {
        try (var harness = harness()) {
            harness.setStateTtlProcessingTime(0);
            harness.processElement(new StreamRecord<>(doc("a", 1)));
            harness.processElement(new StreamRecord<>(doc("a", 3)));
            harness.processElement(new StreamRecord<>(doc("a", 2)));
            harness.processElement(new StreamRecord<>(doc("b", 0)));
            harness.processElement(new StreamRecord<>(doc("a", 3)));

            assertThat(revisions(harness)).containsExactly("a@1", "a@3", "b@0", "a@3");
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

            harness.setStateTtlProcessingTime(RETENTION.toMillis() + 1);
            harness.processElement(new StreamRecord<>(doc("a", 0)));
            assertThat(revisions(harness)).as("after the retention a document is new again").endsWith("a@0");
            assertThat(harness.numKeyedStateEntries()).as("b's expired revision is cleaned up").isEqualTo(1);
            assertThat(harness.numProcessingTimeTimers()).as("no timers: TTL cleans the state").isZero();
        }
    }

    @Test
    void unrevisionedDocumentsPassWithoutState() throws Exception {
        try (var harness = harness()) {
            harness.processElement(new StreamRecord<>(doc("alert", SearchDocument.UNREVISIONED)));
            harness.processElement(new StreamRecord<>(doc("alert", SearchDocument.UNREVISIONED)));
            assertThat(harness.getOutput()).hasSize(2);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SearchDocument, SearchDocument> harness() throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new KeepNewestRevision(RETENTION)), KeepNewestRevision::key, Types.STRING);
        harness.open();
        return harness;
    }

    private static SearchDocument doc(String id, int revision) {
        return new SearchDocument("idx", id, "{}", revision);
    }

    @SuppressWarnings("unchecked")
    private static List<String> revisions(KeyedOneInputStreamOperatorTestHarness<String, SearchDocument, SearchDocument> harness) {
        return harness.getOutput().stream()
                .map(record -> ((StreamRecord<SearchDocument>) record).getValue())
                .map(document -> document.id + "@" + document.revision)
                .toList();
    }
}
