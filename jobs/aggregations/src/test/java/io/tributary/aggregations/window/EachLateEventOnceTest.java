package io.tributary.aggregations.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.aggregations.AggregationsJob;
import io.tributary.jobs.dedup.FirstCopyPerEventId;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.iot.IotTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EachLateEventOnceTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    private KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new FirstCopyPerEventId(AggregationsJob.LATE_COPY_STATE, TTL)),
                        new FirstCopyPerEventId.ByEventId(),
                        Types.STRING);
        harness.setStateTtlProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void copiesOfAnEventFromSeveralWindowsLeaveOnceAndNoTimerIsLeft() throws Exception {
        send("a", "a", "b", "a", "b", "c");

        assertThat(harness.extractOutputValues())
                .extracting(Envelope::getEventId)
                .containsExactly("a", "b", "c");
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void theStateOfAnEventIsGoneAfterTheTtl() throws Exception {
        send("a", "b", "c");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);

        harness.setStateTtlProcessingTime(TTL.toMillis() + 1);
        // Incremental cleanup visits a few entries per state access.
        send(IntStream.range(0, 20).mapToObj(i -> "fresh-" + i).toArray(String[]::new));

        assertThat(harness.numKeyedStateEntries()).isEqualTo(20);
    }

    private void send(String... ids) throws Exception {
        for (String id : ids) {
            harness.processElement(new StreamRecord<>(event(id), 0));
        }
    }

    private static Envelope event(String id) {
        return Envelope.newBuilder()
                .setEventId(id)
                .setEventType(EventType.TELEMETRY)
                .setDomain(Domain.IOT)
                .setEventTime(Instant.EPOCH)
                .setIngestTime(Instant.EPOCH)
                .setProducer("test")
                .setOrigin(new Origin(Topics.EVENTS_IOT, 0, 0L))
                .setPayload(new IotTelemetry("edge-0", "temperature", 40.0, "celsius", null))
                .build();
    }
}
