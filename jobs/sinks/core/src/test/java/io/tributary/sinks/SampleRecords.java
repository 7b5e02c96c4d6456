package io.tributary.sinks;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.RankedTitle;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.alerts.Severity;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Records of every kind the warehouse stores, with several revisions where a stream has them. */
public final class SampleRecords {
    public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    public static final long MINUTE = 60_000;

    private SampleRecords() {}

    public static Alert alert(int i) {
        Instant first = T0.plusSeconds(i);
        return Alert.newBuilder()
                .setAlertId(
                        UUID.nameUUIDFromBytes(("alert-" + i).getBytes(StandardCharsets.UTF_8))
                                .toString())
                .setRuleId(i % 2 == 0 ? "rebuffering-storm" : "card-testing")
                .setRuleVersion(1)
                .setSeverity(i % 3 == 0 ? Severity.HIGH : Severity.MEDIUM)
                .setOwner("qoe-team")
                .setKey("session-" + i)
                .setSummary("alert number " + i)
                .setDetails(Map.of("count", Integer.toString(i), "note", "it's \"quoted\""))
                .setMatchedEventIds(List.of("e-" + i + "-a", "e-" + i + "-b"))
                .setFirstEventTime(first)
                .setLastEventTime(first.plusSeconds(30))
                .setDetectionTime(first.plusSeconds(31))
                .build();
    }

    public static QoeMinute qoe(int key, int revision) {
        long plays = 10L * (key + 1) + revision;
        return QoeMinute.newBuilder()
                .setWindowStart(T0.plusMillis(MINUTE * (key % 5)))
                .setWindowEnd(T0.plusMillis(MINUTE * (key % 5 + 1)))
                .setRevision(revision)
                .setTitleId("title-" + key)
                .setCdn(key % 2 == 0 ? "fastly" : "akamai")
                .setRegion("eu-west")
                .setDeviceClass(DeviceClass.values()[key % DeviceClass.values().length])
                .setPlays(plays)
                .setPlayFailures(revision)
                .setStartupTimeAvgMs(800.0 + key)
                .setStartupTimeP95Ms(null)
                .setRebufferCount(key)
                .setBufferingMs(1_000L * key)
                .setWatchTimeMs(60_000)
                .setRebufferRatio(key / 64.0)
                .setAvgBitrateKbps(2000.0)
                .setBitrateSwitches(revision)
                .setErrors(0)
                .setErrorRate(0.0)
                .setActiveSessions(plays)
                .build();
    }

    /**
     * Titles media-0..7 as the media pipeline names them, on the 500k, 2000k and 4000k renditions.
     */
    public static QoeRenditionMinute qoeRendition(int key, int revision) {
        long watch = 60_000L * (1 + key % 3);
        long buffering = 500L * key + 100L * revision;
        return QoeRenditionMinute.newBuilder()
                .setWindowStart(T0.plusMillis(MINUTE * (key / 24)))
                .setWindowEnd(T0.plusMillis(MINUTE * (key / 24 + 1)))
                .setRevision(revision)
                .setTitleId("media-" + key % 8)
                .setRenditionId(List.of("500k", "2000k", "4000k").get(key / 8 % 3))
                .setWatchTimeMs(watch)
                .setRebufferCount(key % 4 + revision)
                .setBufferingMs(buffering)
                .setRebufferRatio((double) buffering / watch)
                .setDownshifts(key % 3)
                .setErrors(revision)
                .setFatalErrors(0)
                .build();
    }

    public static TrendingTitles trending(int key, int revision) {
        List<RankedTitle> titles = new ArrayList<>();
        for (int rank = 1; rank <= 2 + revision; rank++) {
            titles.add(new RankedTitle(rank, "title-" + rank, 100L - rank + revision));
        }
        return TrendingTitles.newBuilder()
                .setRegion(key % 2 == 0 ? "eu-west" : "us-east")
                .setWindowStart(T0.plusMillis(MINUTE * (key / 2)))
                .setWindowEnd(T0.plusMillis(MINUTE * (key / 2 + 10)))
                .setRevision(revision)
                .setTitles(titles)
                .build();
    }

    public static ViewerSession session(int key, int revision) {
        return ViewerSession.newBuilder()
                .setViewerId("viewer-" + key)
                .setAccountId("account-" + key / 2)
                .setSessionStart(T0.plusSeconds(key))
                .setSessionEnd(T0.plusSeconds(key + 600 + revision))
                .setRevision(revision)
                .setEvents(20 + revision)
                .setLengthMs(600_000 + revision)
                .setWatchTimeMs(500_000)
                .setTitlesWatched(List.of("title-1", "title-" + (2 + revision)))
                .setBufferingMs(4_000)
                .setBufferingShare(4_000 / 500_000.0)
                .setExitReason("ended")
                .build();
    }

    public static CommerceMinute commerce(int key, int revision) {
        return CommerceMinute.newBuilder()
                .setWindowStart(T0.plusMillis(MINUTE * key))
                .setWindowEnd(T0.plusMillis(MINUTE * (key + 1)))
                .setRevision(revision)
                .setCountry(key % 2 == 0 ? "DE" : "FR")
                .setCurrency("EUR")
                .setOrdersCreated(5 + revision)
                .setOrdersPaid(4)
                .setRevenueMinor(10_000L + revision)
                .setAverageOrderValueMinor(2_500.0)
                .setPaymentAttempts(6)
                .setPaymentFailures(2)
                .setPaymentFailureRate(2 / 6.0)
                .build();
    }

    public static IotDevice5m iot(int key, int revision) {
        return IotDevice5m.newBuilder()
                .setWindowStart(T0.plusMillis(5 * MINUTE * (key % 4)))
                .setWindowEnd(T0.plusMillis(5 * MINUTE * (key % 4 + 1)))
                .setRevision(revision)
                .setDeviceId("device-" + key)
                .setMetric("temperature")
                .setUnit("celsius")
                .setReadings(30 + revision)
                .setMin(18.5)
                .setMax(25.0 + revision)
                .setMean(21.25)
                .setStddev(1.5)
                .setAnomaly(revision > 0)
                .build();
    }

    /**
     * One media item through its whole pipeline: an upload, two renditions, HLS packaging,
     * publication.
     */
    public static List<Envelope> mediaPipeline(int item) {
        String media = "media-" + item;
        List<Envelope> events = new ArrayList<>();
        events.add(
                media(
                        media,
                        item,
                        0,
                        EventType.UPLOAD_COMPLETED,
                        b -> b.setUploadId("upload-" + item)));
        // The pipeline's decision carries the time of the report it decides on; its id sorts first.
        events.add(
                Envelope.newBuilder(
                                media(
                                        media,
                                        item,
                                        0,
                                        EventType.UPLOADED,
                                        b -> b.setUploadId("upload-" + item)))
                        .setEventId("0-uploaded-" + media)
                        .setProducer("tributary-media")
                        .build());
        int second = 1;
        for (String rendition : List.of("500k", "2000k")) {
            for (EventType type :
                    List.of(
                            EventType.TRANSCODE_REQUESTED,
                            EventType.TRANSCODE_STARTED,
                            EventType.TRANSCODE_COMPLETED)) {
                events.add(
                        media(
                                media,
                                item,
                                second++,
                                type,
                                b ->
                                        b.setRendition(rendition)
                                                .setBitrateKbps(
                                                        Integer.parseInt(
                                                                rendition.replace("k", "")))
                                                .setWorkerId("worker-1")
                                                .setAttempt(1)));
            }
        }
        events.add(
                media(
                        media,
                        item,
                        second++,
                        EventType.PACKAGED,
                        b ->
                                b.setPackagingFormat("HLS")
                                        .setManifestUri("s3://media/" + media + "/master.m3u8")));
        events.add(
                media(
                        media,
                        item,
                        second,
                        EventType.PUBLISHED,
                        b -> b.setCdnUrl("https://cdn.example/" + media)));
        return events;
    }

    private static Envelope media(
            String mediaId,
            int item,
            int second,
            EventType type,
            java.util.function.UnaryOperator<MediaEvent.Builder> fill) {
        MediaEvent payload = fill.apply(MediaEvent.newBuilder().setMediaId(mediaId)).build();
        return Envelope.newBuilder()
                .setEventId(mediaId + "-" + second)
                .setEventType(type)
                .setDomain(Domain.MEDIA)
                .setEventTime(T0.plusSeconds(60L * item + second))
                .setIngestTime(T0.plusSeconds(60L * item + second + 1))
                .setProducer("media-pipeline")
                .setOrigin(new Origin(Topics.RAW_MEDIA, 0, (long) (item * 100 + second)))
                .setPayload(payload)
                .build();
    }

    public static Envelope playerEvent() {
        return Envelope.newBuilder()
                .setEventId("player-event-on-the-media-topic")
                .setEventType(EventType.PLAY)
                .setDomain(Domain.PLAYER)
                .setEventTime(T0)
                .setIngestTime(T0)
                .setProducer("player")
                .setOrigin(new Origin(Topics.RAW_PLAYER, 0, 1L))
                .setPayload(
                        PlayerEvent.newBuilder()
                                .setSessionId("s")
                                .setViewerId("v")
                                .setAccountId("a")
                                .setDeviceId("d")
                                .setTitleId("t")
                                .setDeviceClass(DeviceClass.TV)
                                .setCdn("c")
                                .setRegion("r")
                                .setPositionMs(0)
                                .build())
                .build();
    }

    public static DeadLetter ingestDeadLetter(int i) {
        return DeadLetter.newBuilder()
                .setReason(
                        i % 2 == 0
                                ? DeadLetterReason.MALFORMED_JSON
                                : DeadLetterReason.MISSING_FIELD)
                .setMessage("bad record " + i)
                .setField(i % 2 == 0 ? null : "sessionId")
                .setJob("ingest")
                .setSourceTopic(Topics.RAW_PLAYER)
                .setSourcePartition(i % 2)
                .setSourceOffset((long) i)
                .setSourceTimestamp(T0.plusSeconds(i))
                .setDeadLetteredAt(T0.plusSeconds(i + 1))
                .setOriginalKey(null)
                .setOriginalValue(
                        ByteBuffer.wrap(("{not json " + i).getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}
