package io.tributary.media.transcode;

import static io.tributary.media.job.MediaRecords.report;
import static io.tributary.media.job.MediaRecords.uploaded;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.media.job.MediaRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.media.MediaEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class OrchestrateTranscodesHarnessTest {
    private static final long MIN = 60_000;
    private static final OutputTag<DeadLetter> DEAD = new OutputTag<>("dead") {};
    private static final TranscodePlanner PLANNER =
            new TranscodePlanner(
                    Ladder.parse("500k,2000k"),
                    new RetryPolicy(2, Duration.ofMinutes(1), Duration.ofMinutes(4)),
                    new TranscodeSla(Duration.ofMinutes(10), Duration.ofMinutes(30)));

    @Test
    void aFailedRenditionIsRequestedAgainWhenItsBackoffTimerFiresAndTheLadderCompletes()
            throws Exception {
        try (var harness = harness()) {
            send(harness, uploaded("m1", "u1", 0));
            assertThat(types(harness))
                    .containsExactly("TRANSCODE_REQUESTED 500k 1", "TRANSCODE_REQUESTED 2000k 1");
            assertThat(harness.numEventTimeTimers()).as("one timer per item").isEqualTo(1);

            send(harness, report(EventType.TRANSCODE_STARTED, "m1", "500k", 1, MIN));
            send(harness, report(EventType.TRANSCODE_STARTED, "m1", "2000k", 1, MIN));
            send(harness, report(EventType.TRANSCODE_FAILED, "m1", "2000k", 1, 2 * MIN));
            harness.processWatermark(3 * MIN - 1);
            assertThat(harness.extractOutputValues()).hasSize(2);

            harness.processWatermark(3 * MIN);
            assertThat(types(harness)).endsWith("TRANSCODE_REQUESTED 2000k 2");
            assertThat(harness.extractOutputValues().get(2).getEventTime().toEpochMilli())
                    .isEqualTo(3 * MIN);

            send(harness, report(EventType.TRANSCODE_COMPLETED, "m1", "500k", 1, 4 * MIN));
            send(harness, report(EventType.TRANSCODE_STARTED, "m1", "2000k", 2, 4 * MIN));
            send(harness, report(EventType.TRANSCODE_COMPLETED, "m1", "2000k", 2, 9 * MIN));
            assertThat(types(harness)).endsWith("TRANSCODED null null");
            Envelope transcoded = harness.extractOutputValues().get(3);
            assertThat(((MediaEvent) transcoded.getPayload()).getDurationMs())
                    .as("the workers' reported duration")
                    .isEqualTo(95_000L);
            assertThat(harness.numEventTimeTimers()).as("only the retention timer").isEqualTo(1);

            send(
                    harness,
                    report(
                            EventType.TRANSCODE_PROGRESS,
                            "m1",
                            "2000k",
                            2,
                            9 * MIN + 1)); // a late report
            assertThat(harness.extractOutputValues()).hasSize(4);
            assertThat(harness.getSideOutput(DEAD)).isNull();

            harness.processWatermark(9 * MIN + 60 * MIN);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void slaBreachesAreEmittedOnTimersAndExhaustedRetriesFailTheMedia() throws Exception {
        try (var harness = harness()) {
            send(harness, uploaded("m2", "u1", 0));
            send(harness, report(EventType.TRANSCODE_STARTED, "m2", "500k", 1, MIN));
            harness.processWatermark(10 * MIN);
            assertThat(types(harness)).endsWith("TRANSCODE_SLA_BREACHED 2000k QUEUED_TOO_LONG");
            MediaEvent breach = (MediaEvent) harness.extractOutputValues().get(2).getPayload();
            assertThat(breach.getWaitedMs()).isEqualTo(10 * MIN);

            harness.processWatermark(31 * MIN);
            assertThat(types(harness)).endsWith("TRANSCODE_SLA_BREACHED 500k RUNNING_TOO_LONG");

            send(harness, report(EventType.TRANSCODE_FAILED, "m2", "500k", 1, 32 * MIN));
            harness.processWatermark(33 * MIN);
            assertThat(types(harness)).endsWith("TRANSCODE_REQUESTED 500k 2");
            send(harness, report(EventType.TRANSCODE_FAILED, "m2", "500k", 2, 34 * MIN));
            Envelope failed =
                    harness.extractOutputValues().get(harness.extractOutputValues().size() - 1);
            assertThat(failed.getEventType()).isEqualTo(EventType.MEDIA_FAILED);
            assertThat(((MediaEvent) failed.getPayload()).getFailureReason())
                    .isEqualTo("rendition 500k failed 2 time(s), last: ffmpeg exited 137");

            harness.processWatermark(34 * MIN + 60 * MIN);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void reportsThatFitNoTranscodeAreDeadLetteredWithTheirBytes() throws Exception {
        try (var harness = harness()) {
            MediaRecord orphan = report(EventType.TRANSCODE_COMPLETED, "m9", "500k", 1, MIN);
            send(harness, orphan);
            send(harness, uploaded("m3", "u1", 0));
            send(harness, report(EventType.TRANSCODE_STARTED, "m3", "8000k", 1, MIN));
            send(
                    harness,
                    io.tributary.media.job.MediaRecords.record(
                            "no-duration",
                            EventType.TRANSCODE_COMPLETED,
                            MIN,
                            m -> m.setMediaId("m3").setRendition("500k").setAttempt(1)));

            List<DeadLetter> dead =
                    harness.getSideOutput(DEAD).stream().map(StreamRecord::getValue).toList();
            assertThat(dead)
                    .extracting(DeadLetter::getReason)
                    .containsOnly(DeadLetterReason.INVALID_TRANSITION);
            assertThat(dead)
                    .extracting(DeadLetter::getMessage)
                    .containsExactly(
                            "no transcode of media m9 is in progress",
                            "TRANSCODE_STARTED for rendition 8000k, which is not on the ladder 500k,2000k",
                            "TRANSCODE_COMPLETED for rendition 500k has no durationMs; packaging needs it");
            assertThat(dead.get(0).getOriginalValue()).isEqualTo(ByteBuffer.wrap(orphan.raw.value));
            assertThat(
                            StandardCharsets.UTF_8
                                    .decode(dead.get(0).getOriginalValue().duplicate())
                                    .toString())
                    .startsWith("raw m9-TRANSCODE_COMPLETED");
            assertThat(dead.get(0).getJob()).isEqualTo("media-test");
        }
    }

    private static List<String> types(
            KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope> harness) {
        return harness.extractOutputValues().stream()
                .map(
                        e -> {
                            MediaEvent m = (MediaEvent) e.getPayload();
                            String detail =
                                    e.getEventType() == EventType.TRANSCODE_SLA_BREACHED
                                            ? m.getRendition() + " " + m.getSlaKind()
                                            : m.getRendition() + " " + m.getAttempt();
                            return e.getEventType() + " " + detail;
                        })
                .toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope> harness()
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope>(
                        new KeyedProcessOperator<>(
                                new OrchestrateTranscodes(
                                        PLANNER, Duration.ofMinutes(60), DEAD, "media-test")),
                        r -> r.media().getMediaId(),
                        Types.STRING);
        harness.open();
        return harness;
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope> harness,
            MediaRecord record)
            throws Exception {
        harness.processElement(new StreamRecord<>(record, record.time()));
    }
}
