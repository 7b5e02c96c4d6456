package io.tributary.media.transcode;

import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.media.job.MediaRecord;
import io.tributary.media.job.PipelineEvents;
import io.tributary.media.pipeline.MediaLifecycle;
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
 * The transcode stage, keyed by media id: on UPLOADED requests every rendition of the ladder, then
 * follows the workers' reports with {@link TranscodePlanner}, retrying failed renditions and
 * reporting SLA breaches on event-time timers, until it emits TRANSCODED or MEDIA_FAILED. One timer
 * per item at a time, at the planner's next deadline. A decided item keeps only its lifecycle for
 * {@code retention} (late reports are dropped quietly), then nothing.
 */
public final class OrchestrateTranscodes
        extends KeyedProcessFunction<String, MediaRecord, Envelope> {
    private static final long serialVersionUID = 1L;

    private final TranscodePlanner planner;
    private final long retentionMs;
    private final OutputTag<DeadLetter> deadLetters;
    private final String job;

    private transient ValueState<TranscodeHeader> header;
    private transient MapState<String, RenditionProgress> renditions;
    private transient Counter ignoredReports;

    public OrchestrateTranscodes(
            TranscodePlanner planner,
            Duration retention,
            OutputTag<DeadLetter> deadLetters,
            String job) {
        this.planner = planner;
        this.retentionMs = retention.toMillis();
        this.deadLetters = deadLetters;
        this.job = job;
    }

    @Override
    public void open(Configuration parameters) {
        header =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("transcode", TranscodeHeader.class));
        renditions =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "renditions",
                                        Types.STRING,
                                        Types.POJO(RenditionProgress.class)));
        ignoredReports =
                getRuntimeContext().getMetricGroup().counter("staleOrRepeatedReportsIgnored");
    }

    @Override
    public void processElement(MediaRecord record, Context ctx, Collector<Envelope> out)
            throws Exception {
        EventType type = record.event.getEventType();
        MediaEvent media = record.media();
        TranscodeHeader item = header.value();
        if (type == EventType.UPLOADED) {
            if (item != null) {
                ignoredReports
                        .inc(); // a replayed or second upload of an item already in the pipeline
                return;
            }
            item = new TranscodeHeader();
            item.mediaId = media.getMediaId();
            item.uploadId = media.getUploadId();
            item.lifecycle = MediaLifecycle.UPLOADED;
            Map<String, RenditionProgress> ladder = new HashMap<>();
            List<TranscodePlanner.Command> commands = planner.start(ladder, record.time());
            item.lifecycle = item.lifecycle.next(EventType.TRANSCODE_REQUESTED);
            renditions.putAll(ladder);
            emit(commands, item, record.time(), record.event, out);
            reschedule(item, ladder, ctx);
            header.update(item);
            return;
        }
        if (item == null) {
            reject(record, "no transcode of media " + media.getMediaId() + " is in progress", ctx);
            return;
        }
        if (item.lifecycle.terminal() || item.lifecycle == MediaLifecycle.TRANSCODED) {
            ignoredReports.inc();
            return;
        }
        if (type == EventType.TRANSCODE_COMPLETED
                && (media.getDurationMs() == null || media.getDurationMs() <= 0)) {
            reject(
                    record,
                    "TRANSCODE_COMPLETED for rendition "
                            + media.getRendition()
                            + " has no durationMs; packaging needs it",
                    ctx);
            return;
        }
        Map<String, RenditionProgress> ladder = load();
        TranscodePlanner.Reaction reaction;
        try {
            reaction =
                    planner.onReport(
                            ladder,
                            type,
                            media.getRendition(),
                            media.getAttempt(),
                            media.getWorkerId(),
                            media.getFailureReason(),
                            record.time());
        } catch (TranscodePlanner.InvalidReport e) {
            reject(record, e.getMessage(), ctx);
            return;
        }
        if (reaction.ignored()) {
            ignoredReports.inc();
            return;
        }
        if (type == EventType.TRANSCODE_COMPLETED) {
            ladder.get(media.getRendition()).durationMs = media.getDurationMs();
        }
        renditions.put(media.getRendition(), ladder.get(media.getRendition()));
        emit(reaction.commands(), item, record.time(), record.event, out);
        conclude(item, ladder, record.time(), record.event, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Envelope> out)
            throws Exception {
        TranscodeHeader item = header.value();
        if (item == null) {
            return;
        }
        if (item.lifecycle.terminal() || item.lifecycle == MediaLifecycle.TRANSCODED) {
            header.clear(); // retention over
            return;
        }
        Map<String, RenditionProgress> ladder = load();
        List<TranscodePlanner.Command> commands = planner.onTime(ladder, timestamp);
        renditions.putAll(ladder);
        item.timer = 0;
        emit(commands, item, timestamp, null, out);
        conclude(item, ladder, timestamp, null, ctx, out);
    }

    /** Emits TRANSCODED or MEDIA_FAILED when the ladder is decided, else moves the timer. */
    private void conclude(
            TranscodeHeader item,
            Map<String, RenditionProgress> ladder,
            long time,
            Envelope cause,
            Context ctx,
            Collector<Envelope> out)
            throws Exception {
        TranscodePlanner.Verdict verdict = planner.verdict(ladder);
        if (verdict == TranscodePlanner.Verdict.IN_PROGRESS) {
            reschedule(item, ladder, ctx);
            header.update(item);
            return;
        }
        MediaEvent.Builder payload =
                MediaEvent.newBuilder().setMediaId(item.mediaId).setUploadId(item.uploadId);
        EventType decided;
        if (verdict == TranscodePlanner.Verdict.TRANSCODED) {
            decided = EventType.TRANSCODED;
            // Renditions of one source share its duration; the longest report wins over rounding.
            payload.setDurationMs(
                    ladder.values().stream().mapToLong(p -> p.durationMs).max().orElseThrow());
        } else {
            decided = EventType.MEDIA_FAILED;
            payload.setFailureReason(planner.failureReason(ladder));
        }
        out.collect(PipelineEvents.derived(decided, time, payload.build(), cause, item.uploadId));
        item.lifecycle = item.lifecycle.next(decided);
        renditions.clear();
        if (item.timer != 0) {
            ctx.timerService().deleteEventTimeTimer(item.timer);
        }
        item.timer = time + retentionMs;
        ctx.timerService().registerEventTimeTimer(item.timer);
        header.update(item);
    }

    private void reschedule(
            TranscodeHeader item, Map<String, RenditionProgress> ladder, Context ctx) {
        long next = planner.nextDeadline(ladder);
        if (next == item.timer) {
            return;
        }
        if (item.timer != 0) {
            ctx.timerService().deleteEventTimeTimer(item.timer);
        }
        item.timer = next == Long.MAX_VALUE ? 0 : next;
        if (item.timer != 0) {
            ctx.timerService().registerEventTimeTimer(item.timer);
        }
    }

    private void emit(
            List<TranscodePlanner.Command> commands,
            TranscodeHeader item,
            long time,
            Envelope cause,
            Collector<Envelope> out) {
        for (TranscodePlanner.Command command : commands) {
            MediaEvent.Builder payload =
                    MediaEvent.newBuilder().setMediaId(item.mediaId).setUploadId(item.uploadId);
            if (command instanceof TranscodePlanner.Request request) {
                payload.setRendition(request.rendition())
                        .setBitrateKbps(request.bitrateKbps())
                        .setAttempt(request.attempt());
                out.collect(
                        PipelineEvents.derived(
                                EventType.TRANSCODE_REQUESTED,
                                time,
                                payload.build(),
                                cause,
                                request.rendition() + "|" + request.attempt()));
            } else if (command instanceof TranscodePlanner.Breach breach) {
                payload.setRendition(breach.rendition())
                        .setAttempt(breach.attempt())
                        .setSlaKind(breach.kind().name())
                        .setWaitedMs(breach.waitedMs());
                out.collect(
                        PipelineEvents.derived(
                                EventType.TRANSCODE_SLA_BREACHED,
                                time,
                                payload.build(),
                                cause,
                                breach.rendition() + "|" + breach.attempt() + "|" + breach.kind()));
            }
        }
    }

    private Map<String, RenditionProgress> load() throws Exception {
        Map<String, RenditionProgress> ladder = new HashMap<>();
        for (Map.Entry<String, RenditionProgress> entry : renditions.entries()) {
            ladder.put(entry.getKey(), entry.getValue());
        }
        return ladder;
    }

    private void reject(MediaRecord record, String message, Context ctx) {
        ctx.output(
                deadLetters,
                DeadLetters.of(
                        record.raw,
                        DeadLetterReason.INVALID_TRANSITION,
                        message,
                        null,
                        job,
                        Instant.now()));
    }
}
