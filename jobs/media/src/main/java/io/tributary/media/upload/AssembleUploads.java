package io.tributary.media.upload;

import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.media.job.MediaRecord;
import io.tributary.media.job.PipelineEvents;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.media.MediaEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The upload stage, keyed by media and upload id: collects chunk events and the client's
 * declaration of completion, and decides the upload with {@link UploadAssembly}: UPLOADED once
 * every chunk is in and agrees with the declaration, UPLOAD_FAILED on a conflicting chunk, a
 * declaration the chunks contradict, or when the upload is not complete {@code timeout} after its
 * first event. A decided upload keeps a marker for {@code retention} so resent chunks are dropped
 * quietly, then all its state goes.
 */
public final class AssembleUploads extends KeyedProcessFunction<String, MediaRecord, Envelope> {
    private static final long serialVersionUID = 1L;

    private final long timeoutMs;
    private final long retentionMs;
    private final OutputTag<DeadLetter> deadLetters;
    private final String job;

    private transient ValueState<UploadHeader> header;
    private transient MapState<Integer, StoredChunk> chunks;
    private transient Counter stragglers;

    public AssembleUploads(
            Duration timeout, Duration retention, OutputTag<DeadLetter> deadLetters, String job) {
        this.timeoutMs = timeout.toMillis();
        this.retentionMs = retention.toMillis();
        this.deadLetters = deadLetters;
        this.job = job;
    }

    public static String key(MediaRecord record) {
        return record.media().getMediaId() + "|" + record.media().getUploadId();
    }

    @Override
    public void open(Configuration parameters) {
        header =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("upload", UploadHeader.class));
        chunks =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "chunks", Types.INT, Types.POJO(StoredChunk.class)));
        stragglers = getRuntimeContext().getMetricGroup().counter("uploadStragglersDropped");
    }

    @Override
    public void processElement(MediaRecord record, Context ctx, Collector<Envelope> out)
            throws Exception {
        MediaEvent media = record.media();
        UploadHeader upload = header.value();
        if (upload != null && upload.decided) {
            stragglers.inc();
            return;
        }
        if (upload == null) {
            upload = new UploadHeader();
            upload.mediaId = media.getMediaId();
            upload.uploadId = media.getUploadId();
            upload.timeoutAt = record.time() + timeoutMs;
            ctx.timerService().registerEventTimeTimer(upload.timeoutAt);
        }
        if (record.event.getEventType() == EventType.UPLOAD_CHUNK) {
            if (upload.chunkCount != 0 && upload.chunkCount != media.getChunkCount()) {
                fail(
                        upload,
                        "chunk "
                                + media.getChunkIndex()
                                + " says the upload has "
                                + media.getChunkCount()
                                + " chunks, earlier chunks said "
                                + upload.chunkCount,
                        record.time(),
                        record.event,
                        ctx,
                        out);
                return;
            }
            upload.chunkCount = media.getChunkCount();
            UploadAssembly.Chunk arriving =
                    new UploadAssembly.Chunk(
                            media.getChunkIndex(), media.getChunkBytes(), media.getChecksum());
            StoredChunk stored = chunks.get(arriving.index());
            UploadAssembly.Chunk storedChunk =
                    stored == null ? null : stored.toChunk(arriving.index());
            switch (UploadAssembly.onChunk(storedChunk, arriving)) {
                case NEW -> chunks.put(arriving.index(), new StoredChunk(arriving));
                case DUPLICATE -> {}
                case CONFLICT -> {
                    fail(
                            upload,
                            UploadAssembly.conflict(storedChunk, arriving),
                            record.time(),
                            record.event,
                            ctx,
                            out);
                    return;
                }
            }
        } else if (record.event.getEventType() == EventType.UPLOAD_COMPLETED) {
            upload.declaredBytes = media.getTotalBytes();
            upload.declaredChecksum = media.getChecksum();
        } else {
            ctx.output(
                    deadLetters,
                    DeadLetters.of(
                            record.raw,
                            DeadLetterReason.INVALID_TRANSITION,
                            record.event.getEventType() + " is not part of an upload",
                            null,
                            job,
                            Instant.now()));
            if (header.value() == null) {
                ctx.timerService().deleteEventTimeTimer(upload.timeoutAt);
            }
            return;
        }
        header.update(upload);
        if (upload.declaredBytes != null && upload.chunkCount > 0) {
            Map<Integer, UploadAssembly.Chunk> received = received(upload.chunkCount);
            if (UploadAssembly.missing(upload.chunkCount, received).isEmpty()) {
                List<String> problems =
                        UploadAssembly.problems(
                                upload.chunkCount,
                                received,
                                upload.declaredBytes,
                                upload.declaredChecksum);
                if (problems.isEmpty()) {
                    MediaEvent uploaded =
                            MediaEvent.newBuilder()
                                    .setMediaId(upload.mediaId)
                                    .setUploadId(upload.uploadId)
                                    .setChunkCount(upload.chunkCount)
                                    .setTotalBytes(UploadAssembly.totalBytes(received))
                                    .setChecksum(
                                            UploadAssembly.checksum(upload.chunkCount, received))
                                    .build();
                    out.collect(
                            PipelineEvents.derived(
                                    EventType.UPLOADED,
                                    record.time(),
                                    uploaded,
                                    record.event,
                                    upload.uploadId));
                    decide(upload, record.time(), ctx);
                } else {
                    fail(
                            upload,
                            String.join("; ", problems),
                            record.time(),
                            record.event,
                            ctx,
                            out);
                }
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Envelope> out)
            throws Exception {
        UploadHeader upload = header.value();
        if (upload == null) {
            return;
        }
        if (upload.decided && timestamp >= upload.cleanupAt) {
            header.clear();
            return;
        }
        if (!upload.decided && timestamp >= upload.timeoutAt) {
            String reason;
            if (upload.chunkCount == 0) {
                reason = "no chunk arrived within " + Duration.ofMillis(timeoutMs);
            } else {
                List<Integer> missing =
                        UploadAssembly.missing(upload.chunkCount, received(upload.chunkCount));
                reason =
                        missing.isEmpty()
                                ? "every chunk arrived but the client never declared the upload complete within "
                                        + Duration.ofMillis(timeoutMs)
                                : "timed out after "
                                        + Duration.ofMillis(timeoutMs)
                                        + ": missing chunks "
                                        + UploadAssembly.describe(missing)
                                        + " of "
                                        + upload.chunkCount;
            }
            fail(upload, reason, timestamp, null, ctx, out);
        }
    }

    private Map<Integer, UploadAssembly.Chunk> received(int chunkCount) throws Exception {
        Map<Integer, UploadAssembly.Chunk> received = new HashMap<>();
        for (Map.Entry<Integer, StoredChunk> entry : chunks.entries()) {
            received.put(entry.getKey(), entry.getValue().toChunk(entry.getKey()));
        }
        return received;
    }

    private void fail(
            UploadHeader upload,
            String reason,
            long time,
            Envelope cause,
            Context ctx,
            Collector<Envelope> out)
            throws Exception {
        MediaEvent failed =
                MediaEvent.newBuilder()
                        .setMediaId(upload.mediaId)
                        .setUploadId(upload.uploadId)
                        .setFailureReason(reason)
                        .build();
        out.collect(
                PipelineEvents.derived(
                        EventType.UPLOAD_FAILED, time, failed, cause, upload.uploadId));
        decide(upload, time, ctx);
    }

    /** Drops the chunks and the timeout; keeps a marker until the retention ends. */
    private void decide(UploadHeader upload, long time, Context ctx) throws Exception {
        chunks.clear();
        ctx.timerService().deleteEventTimeTimer(upload.timeoutAt);
        upload.decided = true;
        upload.cleanupAt = time + retentionMs;
        ctx.timerService().registerEventTimeTimer(upload.cleanupAt);
        header.update(upload);
    }
}
