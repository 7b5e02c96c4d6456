package io.tributary.media.upload;

import static io.tributary.media.job.MediaRecords.chunk;
import static io.tributary.media.job.MediaRecords.completed;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.media.job.MediaRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.media.MediaEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class AssembleUploadsHarnessTest {
    private static final long MIN = 60_000;
    private static final OutputTag<DeadLetter> DEAD = new OutputTag<>("dead") {};

    @Test
    void chunksInAnyOrderWithResendsAssembleOnceThenTheMarkerExpires() throws Exception {
        try (var harness = harness()) {
            send(harness, chunk("m1", "u1", 1, 3, 50, "bb", 1_000));
            send(harness, chunk("m1", "u1", 0, 3, 100, "aa", 2_000));
            send(
                    harness,
                    chunk(
                            "m1", "u1", 1, 3, 50, "bb",
                            3_000)); // resent after a lost acknowledgement
            send(harness, completed("m1", "u1", 175, null, 4_000));
            assertThat(harness.extractOutputValues()).as("chunk 2 still missing").isEmpty();

            send(harness, chunk("m1", "u1", 2, 3, 25, "cc", 5_000));
            List<Envelope> out = harness.extractOutputValues();
            assertThat(out).hasSize(1);
            MediaEvent uploaded = (MediaEvent) out.get(0).getPayload();
            assertThat(out.get(0).getEventType()).isEqualTo(EventType.UPLOADED);
            assertThat(out.get(0).getEventTime().toEpochMilli()).isEqualTo(5_000);
            assertThat(uploaded.getTotalBytes()).isEqualTo(175);
            assertThat(uploaded.getChecksum())
                    .isEqualTo(
                            UploadAssembly.checksum(
                                    3,
                                    Map.of(
                                            0,
                                            new UploadAssembly.Chunk(0, 100, "aa"),
                                            1,
                                            new UploadAssembly.Chunk(1, 50, "bb"),
                                            2,
                                            new UploadAssembly.Chunk(2, 25, "cc"))));

            send(
                    harness,
                    chunk("m1", "u1", 2, 3, 25, "cc", 6_000)); // a straggler after the decision
            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(harness.numEventTimeTimers())
                    .as("only the marker's cleanup timer")
                    .isEqualTo(1);

            harness.processWatermark(5_000 + 10 * MIN);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anUploadMissingChunksTimesOutToAFailureNamingThem() throws Exception {
        try (var harness = harness()) {
            send(harness, chunk("m2", "u9", 0, 5, 10, "a", 0));
            send(harness, chunk("m2", "u9", 4, 5, 10, "e", MIN));
            harness.processWatermark(30 * MIN - 1);
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processWatermark(30 * MIN);
            Envelope failed = harness.extractOutputValues().get(0);
            assertThat(failed.getEventType()).isEqualTo(EventType.UPLOAD_FAILED);
            assertThat(((MediaEvent) failed.getPayload()).getFailureReason())
                    .isEqualTo("timed out after PT30M: missing chunks 1-3 of 5");

            harness.processWatermark(40 * MIN);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aConflictingChunkOrADeclarationTheChunksContradictFailsTheUploadAtOnce() throws Exception {
        try (var harness = harness()) {
            send(harness, chunk("m3", "u1", 0, 2, 10, "a", 0));
            send(harness, chunk("m3", "u1", 0, 2, 11, "z", 1_000));
            send(harness, chunk("m4", "u1", 0, 1, 10, "a", 0));
            send(harness, completed("m4", "u1", 12, null, 1_000));

            assertThat(harness.extractOutputValues())
                    .extracting(e -> ((MediaEvent) e.getPayload()).getFailureReason())
                    .containsExactly(
                            "chunk 0 arrived twice with different content (10 bytes, checksum a then 11 bytes, checksum z)",
                            "declared 12 bytes but the chunks hold 10");
            assertThat(harness.extractOutputValues())
                    .extracting(Envelope::getEventType)
                    .containsOnly(EventType.UPLOAD_FAILED);
            assertThat(harness.getSideOutput(DEAD)).isNull();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope> harness()
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, MediaRecord, Envelope>(
                        new KeyedProcessOperator<>(
                                new AssembleUploads(
                                        Duration.ofMinutes(30),
                                        Duration.ofMinutes(10),
                                        DEAD,
                                        "media-test")),
                        AssembleUploads::key,
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
