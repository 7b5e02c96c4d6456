package io.tributary.ingest.dedup;

import static io.tributary.ingest.TestEvents.DEDUP_TTL;
import static io.tributary.ingest.TestEvents.telemetryRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.ingest.IngestJob;
import io.tributary.ingest.ParseAndValidate;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeduplicateByEventIdTest {
    private static final long TTL_MS = DEDUP_TTL.toMillis();

    private KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
        at(0);
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

        at(TTL_MS - 1);
        send("a");
        assertThat(outputIds()).containsExactly("a", "b", "c", "d", "e");

        at(TTL_MS + 1);
        // Incremental cleanup visits a few entries per state access, so a little traffic after
        // the TTL sweeps every expired id out of the heap state.
        String[] fresh =
                java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> "fresh-" + i)
                        .toArray(String[]::new);
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
        at(TTL_MS + 1);
        send("a", "a");

        assertThat(outputIds()).containsExactly("a", "a");
    }

    @Test
    void rememberedIdsSurviveASnapshotAndRestore() throws Exception {
        harness.open();
        send("a", "b");
        var snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        send("a", "b", "c");

        assertThat(outputIds()).containsExactly("c");
    }

    @Test
    void aCopyReadAtAnotherOffsetIsADuplicateButAReusedIdIsADeadLetterWithItsRawBytes()
            throws Exception {
        harness.open();
        CanonicalRecord first = telemetryRecord("a", 41.0, 10);
        CanonicalRecord copy = telemetryRecord("a", 41.0, 11);
        CanonicalRecord reused = telemetryRecord("a", 99.5, 12);
        harness.processElement(new StreamRecord<>(first, 0L));
        harness.processElement(new StreamRecord<>(copy, 0L));
        harness.processElement(new StreamRecord<>(reused, 0L));

        assertThat(outputPositions()).containsExactly("events.iot@10");
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.EVENT_ID_CONFLICT);
        assertThat(letter.getField()).isEqualTo("eventId");
        assertThat(letter.getSourceOffset()).isEqualTo(12L);
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(reused.raw.value));
        assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(reused.raw.key));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void theSameIdInTwoDomainsIsTwoEvents() throws Exception {
        harness.open();
        CanonicalRecord iot = telemetryRecord("shared-id");
        CanonicalRecord player = telemetryRecord("shared-id");
        player.topic = CanonicalTopics.DEFAULTS.player();
        harness.processElement(new StreamRecord<>(iot, 0L));
        harness.processElement(new StreamRecord<>(player, 0L));

        assertThat(outputPositions()).containsExactly("events.iot@0", "events.player@0");
        assertThat(deadLetters()).isEmpty();
    }

    /**
     * The previous version was a KeyedProcessFunction with the same uid and state; its savepoints
     * restore into the operator, ids and all.
     */
    @Test
    void restoresWhatTheFunctionVersionRemembered() throws Exception {
        var function =
                new KeyedProcessFunction<String, CanonicalRecord, CanonicalRecord>() {
                    private transient ValueState<Long> first;

                    @Override
                    public void open(OpenContext context) {
                        first =
                                getRuntimeContext()
                                        .getState(
                                                DeduplicateByEventId.fingerprintDescriptor(
                                                        DEDUP_TTL));
                    }

                    @Override
                    public void processElement(
                            CanonicalRecord event, Context ctx, Collector<CanonicalRecord> out)
                            throws Exception {
                        if (first.value() == null) {
                            first.update(event.fingerprint);
                            out.collect(event);
                        }
                    }
                };
        OperatorSubtaskState snapshot;
        try (var previous =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function),
                        new IngestJob.ByDomainAndEventId(),
                        Types.STRING)) {
            previous.setStateBackend(new EmbeddedRocksDBStateBackend());
            previous.open();
            previous.processElement(new StreamRecord<>(telemetryRecord("a"), 0L));
            snapshot = previous.snapshot(1L, 1L);
        }
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        send("a", "b");

        assertThat(outputIds()).containsExactly("b");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new DeduplicateByEventId(DEDUP_TTL, true, ParseAndValidate.DEAD_LETTERS, "test"),
                new IngestJob.ByDomainAndEventId(),
                Types.STRING);
    }

    /**
     * Records are copied on their way through the harness; they are told apart by topic and raw
     * offset.
     */
    private List<String> outputPositions() {
        return harness.extractOutputValues().stream()
                .map(r -> r.topic + "@" + r.raw.offset)
                .toList();
    }

    private List<DeadLetter> deadLetters() {
        var letters = harness.getSideOutput(ParseAndValidate.DEAD_LETTERS);
        return letters == null ? List.of() : letters.stream().map(StreamRecord::getValue).toList();
    }

    /** The state's TTL and the operator read the same clock, as they do in a job. */
    private void at(long time) throws Exception {
        harness.setStateTtlProcessingTime(time);
        harness.setProcessingTime(time);
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
