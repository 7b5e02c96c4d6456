package io.tributary.aggregations.rendition;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Instant;

/**
 * Playback quality on one rendition of one title for one window. Exact counters in a POJO,
 * mergeable and serialized by Flink's POJO serializer. Watch time is heartbeats × heartbeat
 * interval, as in QoE per minute, so the two aggregates add up to each other.
 */
public class RenditionAccumulator {
    public long heartbeats;
    public long rebufferCount;
    public long bufferingMs;
    public long downshifts;
    public long errors;
    public long fatalErrors;

    /** Counts an event already attributed to this accumulator's rendition. */
    public void add(EventType type, PlayerEvent event) {
        switch (type) {
            case HEARTBEAT -> heartbeats++;
            case BUFFER_START -> rebufferCount++;
            case BUFFER_END -> {
                if (event.getBufferDurationMs() != null) {
                    bufferingMs += event.getBufferDurationMs();
                }
            }
            case BITRATE_SWITCH -> downshifts++;
            case ERROR -> {
                errors++;
                if (Boolean.TRUE.equals(event.getErrorFatal())) {
                    fatalErrors++;
                }
            }
            default -> {}
        }
    }

    public RenditionAccumulator merge(RenditionAccumulator other) {
        heartbeats += other.heartbeats;
        rebufferCount += other.rebufferCount;
        bufferingMs += other.bufferingMs;
        downshifts += other.downshifts;
        errors += other.errors;
        fatalErrors += other.fatalErrors;
        return this;
    }

    public QoeRenditionMinute toResult(
            RenditionKey key,
            long windowStart,
            long windowEnd,
            int revision,
            long heartbeatIntervalMs) {
        long watchTimeMs = heartbeats * heartbeatIntervalMs;
        return QoeRenditionMinute.newBuilder()
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setRevision(revision)
                .setTitleId(key.titleId)
                .setRenditionId(key.renditionId)
                .setWatchTimeMs(watchTimeMs)
                .setRebufferCount(rebufferCount)
                .setBufferingMs(bufferingMs)
                .setRebufferRatio(watchTimeMs == 0 ? null : (double) bufferingMs / watchTimeMs)
                .setDownshifts(downshifts)
                .setErrors(errors)
                .setFatalErrors(fatalErrors)
                .build();
    }
}
