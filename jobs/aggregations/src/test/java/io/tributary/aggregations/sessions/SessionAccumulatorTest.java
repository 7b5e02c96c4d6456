package io.tributary.aggregations.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import org.junit.jupiter.api.Test;

class SessionAccumulatorTest {
    private static final long HEARTBEAT_MS = 10_000;

    private static PlayerEvent event(String title, PlayerEvent.Builder details) {
        return details.setSessionId("s")
                .setViewerId("viewer")
                .setAccountId("acct")
                .setDeviceId("dev")
                .setTitleId(title)
                .setDeviceClass(DeviceClass.TV)
                .setCdn("fastly")
                .setRegion("eu-west")
                .build();
    }

    @Test
    void summarisesASessionAcrossTitles() {
        SessionAccumulator acc = new SessionAccumulator();
        acc.add(EventType.PLAY, event("title-b", PlayerEvent.newBuilder().setPositionMs(0)), 1_000);
        acc.add(
                EventType.HEARTBEAT,
                event("title-b", PlayerEvent.newBuilder().setPositionMs(10_000)),
                11_000);
        acc.add(
                EventType.BUFFER_END,
                event(
                        "title-b",
                        PlayerEvent.newBuilder().setPositionMs(12_000).setBufferDurationMs(5_000L)),
                17_000);
        acc.add(
                EventType.PLAY,
                event("title-a", PlayerEvent.newBuilder().setPositionMs(0)),
                60_000);
        acc.add(
                EventType.HEARTBEAT,
                event("title-a", PlayerEvent.newBuilder().setPositionMs(10_000)),
                70_000);
        acc.add(
                EventType.PAUSE,
                event("title-a", PlayerEvent.newBuilder().setPositionMs(12_000)),
                72_000);

        ViewerSession session = acc.toResult("viewer", 1, HEARTBEAT_MS);

        assertThat(session.getEvents()).isEqualTo(6);
        assertThat(session.getLengthMs()).isEqualTo(71_000);
        assertThat(session.getWatchTimeMs()).isEqualTo(20_000);
        assertThat(session.getTitlesWatched()).containsExactly("title-a", "title-b");
        assertThat(session.getBufferingShare()).isEqualTo(5_000.0 / 25_000);
        assertThat(session.getExitReason()).isEqualTo("paused");
        assertThat(session.getAccountId()).isEqualTo("acct");
    }

    @Test
    void mergingKeepsTheLatestEventAsTheExitAndUnitesTitles() {
        SessionAccumulator early = new SessionAccumulator();
        early.add(
                EventType.PLAY, event("title-a", PlayerEvent.newBuilder().setPositionMs(0)), 1_000);
        SessionAccumulator late = new SessionAccumulator();
        late.add(
                EventType.ERROR,
                event(
                        "title-b",
                        PlayerEvent.newBuilder()
                                .setPositionMs(5)
                                .setErrorCode("X")
                                .setErrorFatal(true)),
                9_000);

        ViewerSession merged = early.merge(late).toResult("viewer", 2, HEARTBEAT_MS);

        assertThat(merged.getSessionStart().toEpochMilli()).isEqualTo(1_000);
        assertThat(merged.getSessionEnd().toEpochMilli()).isEqualTo(9_000);
        assertThat(merged.getTitlesWatched()).containsExactly("title-a", "title-b");
        assertThat(merged.getExitReason()).isEqualTo("error");
        assertThat(merged.getBufferingShare()).isNull();
        assertThat(new SessionAccumulator().merge(late).events)
                .as("merging into an empty session copies")
                .isEqualTo(1);
    }
}
