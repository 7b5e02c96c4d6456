package io.tributary.ingest.dedup;

import static io.tributary.ingest.TestEvents.DEDUP_TTL;
import static io.tributary.ingest.TestEvents.telemetryRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.IngestJob;
import io.tributary.ingest.CanonicalRecord;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicateByEventIdTest {
    private static final long TTL_MS = DEDUP_TTL.toMillis();

    private KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DeduplicateByEventId(DEDUP_TTL)),
                new IngestJob.ByEventId(),
                Types.STRING);
        harness.setStateTtlProcessingTime(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void onlyTheFirstEventOfAnIdPassesAndNoTimersAreLeft() throws Exception {
        harness.open();
        send("a", "b", "a", "a", "c", "b");

        assertThat(outputIds()).containsExactly("a", "b", "c");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void idsAreForgottenAndTheirStateCleanedAfterTheTtl() throws Exception {
        harness.open();
        send("a", "b", "c", "d", "e");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(5);

        harness.setStateTtlProcessingTime(TTL_MS - 1);
        send("a");
        assertThat(outputIds()).containsExactly("a", "b", "c", "d", "e");

        harness.setStateTtlProcessingTime(TTL_MS + 1);
        // Incremental cleanup visits a few entries per state access, so a little traffic after
        // the TTL sweeps every expired id out of the heap state.
        String[] fresh = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "fresh-" + i).toArray(String[]::new);
        send(fresh);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(fresh.length);

        send("a");
        assertThat(outputIds()).hasSize(5 + fresh.length + 1).endsWith("a");
    }

    @Test
    void expiredIdsAreNotRememberedOnRocksDb() throws Exception {
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        send("a", "a");
        harness.setStateTtlProcessingTime(TTL_MS + 1);
        send("a", "a");

        assertThat(outputIds()).containsExactly("a", "a");
    }

    @Test
    void rememberedIdsSurviveASnapshotAndRestore() throws Exception {
        harness.open();
        send("a", "b");
        var snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new DeduplicateByEventId(DEDUP_TTL)),
                new IngestJob.ByEventId(),
                Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        send("a", "b", "c");

        assertThat(outputIds()).containsExactly("c");
    }

    private void send(String... ids) throws Exception {
        for (String id : ids) {
            harness.processElement(new StreamRecord<>(telemetryRecord(id), 0L));
        }
    }

    private List<String> outputIds() {
        return harness.extractOutputValues().stream().map(record -> record.eventId).toList();
    }
}
