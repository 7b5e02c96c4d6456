package io.tributary.aggregations.qoe;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Player events of one title on one CDN, region and device class, at named times. */
final class PlayerEvents {
    static final long SECOND = 1_000;
    static final long MINUTE = 60 * SECOND;
    static final QoeDimensions DIMS =
            new QoeDimensions("title-1", "fastly", "eu-west", DeviceClass.TV);
    private static final AtomicInteger IDS = new AtomicInteger();

    private PlayerEvents() {}

    static Envelope event(
            EventType type, String session, long atMillis, PlayerEvent.Builder details) {
        PlayerEvent payload =
                details.setSessionId(session)
                        .setViewerId("viewer-" + session)
                        .setAccountId("acct-" + session)
                        .setDeviceId("dev-" + session)
                        .setTitleId(DIMS.titleId)
                        .setDeviceClass(DIMS.deviceClass)
                        .setCdn(DIMS.cdn)
                        .setRegion(DIMS.region)
                        .build();
        return Envelope.newBuilder()
                .setEventId("e-" + IDS.incrementAndGet())
                .setEventType(type)
                .setDomain(Domain.PLAYER)
                .setEventTime(Instant.ofEpochMilli(atMillis))
                .setIngestTime(Instant.ofEpochMilli(atMillis))
                .setProducer("player-gw-1")
                .setOrigin(new Origin(Topics.RAW_PLAYER, 0, 0L))
                .setPayload(payload)
                .build();
    }

    static Envelope play(String session, long at) {
        return event(
                EventType.PLAY,
                session,
                at,
                PlayerEvent.newBuilder().setPositionMs(0).setBitrateKbps(2000));
    }

    static Envelope firstFrame(String session, long at, long startupMs) {
        return event(
                EventType.FIRST_FRAME,
                session,
                at,
                PlayerEvent.newBuilder().setPositionMs(0).setStartupTimeMs(startupMs));
    }

    static Envelope heartbeat(String session, long at, int bitrateKbps) {
        return event(
                EventType.HEARTBEAT,
                session,
                at,
                PlayerEvent.newBuilder().setPositionMs(at).setBitrateKbps(bitrateKbps));
    }

    static Envelope bufferStart(String session, long at) {
        return event(
                EventType.BUFFER_START, session, at, PlayerEvent.newBuilder().setPositionMs(at));
    }

    static Envelope bufferEnd(String session, long at, long durationMs) {
        return event(
                EventType.BUFFER_END,
                session,
                at,
                PlayerEvent.newBuilder().setPositionMs(at).setBufferDurationMs(durationMs));
    }

    static Envelope fatalErrorBeforeFirstFrame(String session, long at) {
        return event(
                EventType.ERROR,
                session,
                at,
                PlayerEvent.newBuilder()
                        .setPositionMs(0)
                        .setErrorCode("MANIFEST_LOAD_FAILED")
                        .setErrorFatal(true));
    }

    static Envelope bitrateSwitch(String session, long at, int from, int to) {
        return event(
                EventType.BITRATE_SWITCH,
                session,
                at,
                PlayerEvent.newBuilder()
                        .setPositionMs(at)
                        .setPreviousBitrateKbps(from)
                        .setBitrateKbps(to));
    }
}
