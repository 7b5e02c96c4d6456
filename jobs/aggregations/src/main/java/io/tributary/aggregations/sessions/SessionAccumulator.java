package io.tributary.aggregations.sessions;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What one viewer did in one session window. Session windows merge when a late event bridges a gap,
 * so this accumulator must merge too. Titles are a small sorted array (a viewer watches a handful
 * per session), which Flink's POJO serializer handles without Kryo.
 */
public class SessionAccumulator {
    public String accountId;
    public long events;
    public long firstEventTime = Long.MAX_VALUE;
    public long lastEventTime = Long.MIN_VALUE;
    public String lastEventKind;
    public long heartbeats;
    public long bufferingMs;
    public String[] titles = new String[0];

    public void add(EventType type, PlayerEvent event, long eventTime) {
        accountId = event.getAccountId();
        events++;
        firstEventTime = Math.min(firstEventTime, eventTime);
        if (eventTime >= lastEventTime) {
            lastEventTime = eventTime;
            lastEventKind = exitKind(type, event);
        }
        if (type == EventType.HEARTBEAT) {
            heartbeats++;
        } else if (type == EventType.BUFFER_END && event.getBufferDurationMs() != null) {
            bufferingMs += event.getBufferDurationMs();
        }
        addTitle(event.getTitleId());
    }

    public SessionAccumulator merge(SessionAccumulator other) {
        if (other.events == 0) {
            return this;
        }
        accountId = accountId == null ? other.accountId : accountId;
        events += other.events;
        firstEventTime = Math.min(firstEventTime, other.firstEventTime);
        if (other.lastEventTime >= lastEventTime) {
            lastEventTime = other.lastEventTime;
            lastEventKind = other.lastEventKind;
        }
        heartbeats += other.heartbeats;
        bufferingMs += other.bufferingMs;
        for (String title : other.titles) {
            addTitle(title);
        }
        return this;
    }

    public ViewerSession toResult(String viewerId, int revision, long heartbeatIntervalMs) {
        long watchTimeMs = heartbeats * heartbeatIntervalMs;
        long playbackMs = watchTimeMs + bufferingMs;
        return ViewerSession.newBuilder()
                .setViewerId(viewerId)
                .setAccountId(accountId)
                .setSessionStart(Instant.ofEpochMilli(firstEventTime))
                .setSessionEnd(Instant.ofEpochMilli(lastEventTime))
                .setRevision(revision)
                .setEvents(events)
                .setLengthMs(lastEventTime - firstEventTime)
                .setWatchTimeMs(watchTimeMs)
                .setTitlesWatched(List.of(titles))
                .setBufferingMs(bufferingMs)
                .setBufferingShare(playbackMs == 0 ? null : (double) bufferingMs / playbackMs)
                .setExitReason(lastEventKind)
                .build();
    }

    private static String exitKind(EventType type, PlayerEvent event) {
        if (type == EventType.ERROR && Boolean.TRUE.equals(event.getErrorFatal())) {
            return "error";
        }
        return type == EventType.PAUSE ? "paused" : "ended";
    }

    private void addTitle(String title) {
        int at = Arrays.binarySearch(titles, title);
        if (at < 0) {
            int insert = -at - 1;
            String[] grown = new String[titles.length + 1];
            System.arraycopy(titles, 0, grown, 0, insert);
            grown[insert] = title;
            System.arraycopy(titles, insert, grown, insert + 1, titles.length - insert);
            titles = grown;
        }
    }
}
