package io.tributary.aggregations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * The aggregations' test input and what the job must make of it, computed by plain code without any
 * of the job's classes: player sessions, orders and IoT readings (out of order, some late within
 * the allowed lateness), and for each output the final revision of every window. The fast job-level
 * test ({@link AggregationsJobTest}, in memory) and the integration test on real Kafka ({@link
 * AggregationsJobIT}) check the same results.
 */
final class AggregationsScenario {
    // Kafka refuses record timestamps far from now, so the input is placed in the last hour.
    static final Instant T0 =
            Instant.ofEpochMilli((System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000);
    static final long MINUTE = 60_000;
    static final long HEARTBEAT_MS = 10_000;
    static final int TOP_N = 1;
    static final String[] TITLES = {"title-1", "title-2"};
    static final String[] CDNS = {"fastly", "akamai"};

    static final AggregationsJob.Settings SETTINGS =
            new AggregationsJob.Settings(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(5),
                    Duration.ofMillis(HEARTBEAT_MS),
                    Duration.ofMinutes(30),
                    TOP_N);

    /**
     * No split goes idle during the savepoint test: a source that is idle when stop-with-savepoint
     * drains never delivers its final MAX watermark (FLINK-40499), and no window would fire.
     */
    static final AggregationsJob.Settings NEVER_IDLE =
            new AggregationsJob.Settings(
                    Duration.ofSeconds(5),
                    Duration.ofMinutes(30),
                    Duration.ofMinutes(5),
                    Duration.ofMillis(HEARTBEAT_MS),
                    Duration.ofMinutes(30),
                    TOP_N);

    private AggregationsScenario() {}

    static void assertQoe(List<QoeMinute> rows, List<Envelope> input) {
        Map<String, QoeMinute> latest = new HashMap<>();
        Set<String> revisionsSeen = new HashSet<>();
        for (QoeMinute row : rows) {
            String window =
                    windowKey(row.getWindowStart().toEpochMilli(), row.getTitleId(), row.getCdn());
            assertThat(revisionsSeen.add(window + "#" + row.getRevision()))
                    .as("each revision exactly once")
                    .isTrue();
            latest.merge(window, row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, Expected> expected = straightforward(input);
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach(
                (window, want) -> {
                    QoeMinute got = latest.get(window);
                    assertThat(got.getPlays()).as(window).isEqualTo(want.plays);
                    assertThat(got.getPlayFailures()).as(window).isEqualTo(want.playFailures);
                    assertThat(got.getRebufferCount()).as(window).isEqualTo(want.rebuffers);
                    assertThat(got.getBufferingMs()).as(window).isEqualTo(want.bufferingMs);
                    assertThat(got.getWatchTimeMs())
                            .as(window)
                            .isEqualTo(want.heartbeats * HEARTBEAT_MS);
                    assertThat(got.getErrors()).as(window).isEqualTo(want.errors);
                    assertThat(got.getActiveSessions()).as(window).isEqualTo(want.sessions.size());
                    if (want.startupTimes.isEmpty()) {
                        assertThat(got.getStartupTimeAvgMs()).isNull();
                    } else {
                        assertThat(got.getStartupTimeAvgMs())
                                .as(window)
                                .isCloseTo(
                                        want.startupTimes.stream()
                                                .mapToLong(Long::longValue)
                                                .average()
                                                .orElseThrow(),
                                        within(1e-6));
                        List<Long> sorted = new ArrayList<>(want.startupTimes);
                        Collections.sort(sorted);
                        long p95 = sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
                        assertThat(got.getStartupTimeP95Ms()).as(window).isEqualTo((double) p95);
                    }
                    if (want.heartbeats > 0) {
                        assertThat(got.getAvgBitrateKbps())
                                .as(window)
                                .isCloseTo(
                                        (double) want.bitrateSum / want.heartbeats, within(1e-6));
                        assertThat(got.getRebufferRatio())
                                .as(window)
                                .isCloseTo(
                                        (double) want.bufferingMs
                                                / (want.heartbeats * HEARTBEAT_MS),
                                        within(1e-9));
                    }
                });
    }

    /**
     * Every title × rendition window, each revision once, against tallies by plain code: events
     * count for the rendition they name, a downward switch for the rendition the player left.
     */
    static void assertRenditions(List<QoeRenditionMinute> rows, List<Envelope> input) {
        Map<String, QoeRenditionMinute> latest = new HashMap<>();
        Set<String> revisionsSeen = new HashSet<>();
        for (QoeRenditionMinute row : rows) {
            String window =
                    row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getTitleId()
                            + "|"
                            + row.getRenditionId();
            assertThat(revisionsSeen.add(window + "#" + row.getRevision()))
                    .as("each revision exactly once")
                    .isTrue();
            latest.merge(window, row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, long[]> expected = new HashMap<>();
        for (Envelope event : input) {
            PlayerEvent p = (PlayerEvent) event.getPayload();
            String rendition =
                    event.getEventType() == EventType.BITRATE_SWITCH
                            ? p.getPreviousBitrateKbps() + "k"
                            : p.getRenditionId();
            if (rendition == null
                    || event.getEventType() == EventType.PLAY
                    || event.getEventType() == EventType.FIRST_FRAME) {
                continue;
            }
            long[] t =
                    expected.computeIfAbsent(
                            event.getEventTime().toEpochMilli() / MINUTE * MINUTE
                                    + "|"
                                    + p.getTitleId()
                                    + "|"
                                    + rendition,
                            k -> new long[5]);
            switch (event.getEventType()) {
                case HEARTBEAT -> t[0] += HEARTBEAT_MS;
                case BUFFER_START -> t[1]++;
                case BUFFER_END -> t[2] += p.getBufferDurationMs();
                case BITRATE_SWITCH -> t[3]++;
                case ERROR -> t[4]++;
                default -> {}
            }
        }
        assertThat(expected.values().stream().mapToLong(t -> t[3]).sum())
                .as("the input has downshifts")
                .isPositive();
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach(
                (window, t) -> {
                    QoeRenditionMinute row = latest.get(window);
                    assertThat(
                                    new long[] {
                                        row.getWatchTimeMs(),
                                        row.getRebufferCount(),
                                        row.getBufferingMs(),
                                        row.getDownshifts(),
                                        row.getErrors()
                                    })
                            .as(window)
                            .containsExactly(t);
                });
    }

    static void assertCommerce(List<CommerceMinute> rows, List<Envelope> orders) {
        Map<String, CommerceMinute> latest = new HashMap<>();
        for (CommerceMinute row : rows) {
            latest.merge(
                    row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getCountry()
                            + "|"
                            + row.getCurrency(),
                    row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, long[]> expected = new HashMap<>();
        for (Envelope event : orders) {
            CommerceEvent order = (CommerceEvent) event.getPayload();
            long[] t =
                    expected.computeIfAbsent(
                            event.getEventTime().toEpochMilli() / MINUTE * MINUTE
                                    + "|"
                                    + order.getCountry()
                                    + "|"
                                    + order.getCurrency(),
                            k -> new long[5]);
            switch (event.getEventType()) {
                case ORDER_CREATED -> t[0]++;
                case ORDER_PAID -> {
                    t[1]++;
                    t[2] += order.getAmountMinor();
                }
                case PAYMENT_ATTEMPTED -> t[3]++;
                case PAYMENT_FAILED -> t[4]++;
                default -> {}
            }
        }
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach(
                (window, t) -> {
                    CommerceMinute row = latest.get(window);
                    assertThat(
                                    new long[] {
                                        row.getOrdersCreated(),
                                        row.getOrdersPaid(),
                                        row.getRevenueMinor(),
                                        row.getPaymentAttempts(),
                                        row.getPaymentFailures()
                                    })
                            .as(window)
                            .containsExactly(t);
                });
    }

    /** Plays per title over every sliding window a play falls in; the top one per window. */
    static void assertTrending(List<TrendingTitles> rows, List<Envelope> input) {
        Map<Long, TrendingTitles> latest = new HashMap<>();
        for (TrendingTitles row : rows) {
            latest.merge(
                    row.getWindowEnd().toEpochMilli(),
                    row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<Long, Map<String, Long>> plays = new HashMap<>();
        for (Envelope event : input) {
            if (event.getEventType() != EventType.PLAY) {
                continue;
            }
            long t = event.getEventTime().toEpochMilli();
            for (long end = t / MINUTE * MINUTE + MINUTE; end <= t + 10 * MINUTE; end += MINUTE) {
                plays.computeIfAbsent(end, k -> new HashMap<>())
                        .merge(((PlayerEvent) event.getPayload()).getTitleId(), 1L, Long::sum);
            }
        }
        assertThat(latest.keySet()).isEqualTo(plays.keySet());
        plays.forEach(
                (end, counts) -> {
                    long most = Collections.max(counts.values());
                    String leader =
                            counts.entrySet().stream()
                                    .filter(e -> e.getValue() == most)
                                    .map(Map.Entry::getKey)
                                    .sorted()
                                    .findFirst()
                                    .orElseThrow();
                    TrendingTitles row = latest.get(end);
                    assertThat(row.getTitles()).as("window ending " + end).hasSize(TOP_N);
                    assertThat(row.getTitles().get(0).getTitleId())
                            .as("window ending " + end)
                            .isEqualTo(leader);
                    assertThat(row.getTitles().get(0).getPlays())
                            .as("window ending " + end)
                            .isEqualTo(most);
                    assertThat(row.getRegion()).isEqualTo("eu-west");
                });
    }

    /** Every viewer of the input has one session, all its events within a few minutes. */
    static void assertSessions(List<ViewerSession> rows, List<Envelope> input) {
        Map<String, ViewerSession> latest = new HashMap<>();
        for (ViewerSession row : rows) {
            latest.merge(
                    row.getViewerId(), row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, List<Envelope>> byViewer = new HashMap<>();
        for (Envelope event : input) {
            byViewer.computeIfAbsent(
                            ((PlayerEvent) event.getPayload()).getViewerId(),
                            k -> new ArrayList<>())
                    .add(event);
        }
        assertThat(latest.keySet()).isEqualTo(byViewer.keySet());
        byViewer.forEach(
                (viewer, events) -> {
                    ViewerSession row = latest.get(viewer);
                    long first =
                            events.stream()
                                    .mapToLong(e -> e.getEventTime().toEpochMilli())
                                    .min()
                                    .orElseThrow();
                    long last =
                            events.stream()
                                    .mapToLong(e -> e.getEventTime().toEpochMilli())
                                    .max()
                                    .orElseThrow();
                    long heartbeats =
                            events.stream()
                                    .filter(e -> e.getEventType() == EventType.HEARTBEAT)
                                    .count();
                    assertThat(row.getEvents()).as(viewer).isEqualTo(events.size());
                    assertThat(row.getSessionStart().toEpochMilli()).as(viewer).isEqualTo(first);
                    assertThat(row.getLengthMs()).as(viewer).isEqualTo(last - first);
                    assertThat(row.getWatchTimeMs())
                            .as(viewer)
                            .isEqualTo(heartbeats * HEARTBEAT_MS);
                });
    }

    static void assertIot(List<IotDevice5m> rows, List<Envelope> readings) {
        Map<String, IotDevice5m> latest = new HashMap<>();
        for (IotDevice5m row : rows) {
            latest.merge(
                    row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getDeviceId()
                            + "|"
                            + row.getMetric(),
                    row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, List<Double>> expected = new HashMap<>();
        for (Envelope event : readings) {
            IotTelemetry reading = (IotTelemetry) event.getPayload();
            expected.computeIfAbsent(
                            event.getEventTime().toEpochMilli() / (5 * MINUTE) * (5 * MINUTE)
                                    + "|"
                                    + reading.getDeviceId()
                                    + "|"
                                    + reading.getMetric(),
                            k -> new ArrayList<>())
                    .add(reading.getValue());
        }
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach(
                (window, values) -> {
                    IotDevice5m row = latest.get(window);
                    double mean =
                            values.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .average()
                                    .orElseThrow();
                    double variance =
                            values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum()
                                    / values.size();
                    assertThat(row.getReadings()).as(window).isEqualTo(values.size());
                    assertThat(row.getMean()).as(window).isCloseTo(mean, within(1e-9));
                    assertThat(row.getStddev())
                            .as(window)
                            .isCloseTo(Math.sqrt(variance), within(1e-9));
                    assertThat(row.getMin()).as(window).isEqualTo(Collections.min(values));
                    assertThat(row.getMax()).as(window).isEqualTo(Collections.max(values));
                });
    }

    /** Orders in two markets; a tenth of payment attempts fail once before succeeding. */
    static List<Envelope> orders(int count, Random random) {
        String[][] markets = {{"DE", "EUR"}, {"FR", "EUR"}, {"GB", "GBP"}};
        List<Envelope> events = new ArrayList<>();
        for (int o = 0; o < count; o++) {
            String[] market = markets[random.nextInt(markets.length)];
            long amount = 499 + random.nextInt(5_000);
            long t = T0.toEpochMilli() + random.nextInt(5 * 60_000);
            String order = "ord-" + o;
            events.add(commerce(order, market, EventType.ORDER_CREATED, t, amount));
            events.add(commerce(order, market, EventType.PAYMENT_ATTEMPTED, t + 2_000, amount));
            if (random.nextInt(10) == 0) {
                events.add(commerce(order, market, EventType.PAYMENT_FAILED, t + 3_000, amount));
                events.add(
                        commerce(order, market, EventType.PAYMENT_ATTEMPTED, t + 20_000, amount));
            }
            events.add(commerce(order, market, EventType.ORDER_PAID, t + 25_000, amount));
        }
        events.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        return events;
    }

    /** Six devices reporting temperature every 15 s for ten minutes. */
    static List<Envelope> readings(Random random) {
        List<Envelope> events = new ArrayList<>();
        for (long at = T0.toEpochMilli(); at < T0.toEpochMilli() + 10 * MINUTE; at += 15_000) {
            for (int d = 0; d < 6; d++) {
                double value = Math.round((45 + 3 * random.nextGaussian()) * 100) / 100.0;
                events.add(
                        envelope(
                                EventType.TELEMETRY,
                                Domain.IOT,
                                at,
                                new IotTelemetry(
                                        "edge-" + d, "temperature", value, "celsius", null)));
            }
        }
        return events;
    }

    /** One reading per device half an hour after the input. */
    static List<Envelope> halfAnHourLater(List<Envelope> readings) {
        long at = T0.toEpochMilli() + 30 * MINUTE;
        List<Envelope> later = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            later.add(
                    envelope(
                            EventType.TELEMETRY,
                            Domain.IOT,
                            at,
                            new IotTelemetry("edge-" + d, "temperature", 40.0, "celsius", null)));
        }
        return later;
    }

    /** As the ingest job writes them: payment events name their payment, method and failure. */
    static Envelope commerce(String order, String[] market, EventType type, long at, long amount) {
        CommerceEvent.Builder payload =
                CommerceEvent.newBuilder()
                        .setOrderId(order)
                        .setAccountId("acct-" + order)
                        .setAmountMinor(amount)
                        .setCurrency(market[1])
                        .setCountry(market[0]);
        if (type == EventType.PAYMENT_ATTEMPTED
                || type == EventType.PAYMENT_SUCCEEDED
                || type == EventType.PAYMENT_FAILED) {
            payload.setPaymentId("pay-" + order).setPaymentMethod("card");
        }
        if (type == EventType.PAYMENT_FAILED) {
            payload.setFailureReason("declined");
        }
        return envelope(type, Domain.COMMERCE, at, payload.build());
    }

    static Envelope envelope(EventType type, Domain domain, long at, Object payload) {
        return Envelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventType(type)
                .setDomain(domain)
                .setEventTime(Instant.ofEpochMilli(at))
                .setIngestTime(Instant.ofEpochMilli(at))
                .setProducer("it")
                .setOrigin(new Origin("raw", 0, 0L))
                .setPayload(payload)
                .build();
    }

    /** Plain per-window tallies, computed without any of the job's classes. */
    static final class Expected {
        long plays;
        long playFailures;
        long rebuffers;
        long bufferingMs;
        long heartbeats;
        long bitrateSum;
        long errors;
        final Set<String> sessions = new HashSet<>();
        final List<Long> startupTimes = new ArrayList<>();
    }

    static Map<String, Expected> straightforward(List<Envelope> input) {
        Map<String, Expected> windows = new HashMap<>();
        for (Envelope event : input) {
            PlayerEvent p = (PlayerEvent) event.getPayload();
            long start = event.getEventTime().toEpochMilli() / MINUTE * MINUTE;
            Expected w =
                    windows.computeIfAbsent(
                            windowKey(start, p.getTitleId(), p.getCdn()), k -> new Expected());
            w.sessions.add(p.getSessionId());
            switch (event.getEventType()) {
                case PLAY -> w.plays++;
                case FIRST_FRAME -> w.startupTimes.add(p.getStartupTimeMs());
                case BUFFER_START -> w.rebuffers++;
                case BUFFER_END -> w.bufferingMs += p.getBufferDurationMs();
                case HEARTBEAT -> {
                    w.heartbeats++;
                    w.bitrateSum += p.getBitrateKbps();
                }
                case ERROR -> {
                    w.errors++;
                    if (p.getPositionMs() == 0) {
                        w.playFailures++;
                    }
                }
                default -> {}
            }
        }
        return windows;
    }

    static String windowKey(long windowStart, String title, String cdn) {
        return windowStart + "|" + title + "|" + cdn;
    }

    /**
     * Sessions over six minutes; within a session events are a few seconds out of order, and one
     * event in ten is held back 40 s, late for its window but within the allowed lateness.
     */
    static List<Envelope> sessions(int count, Random random) {
        List<Envelope> events = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            String session = "sess-" + s;
            String title = TITLES[random.nextInt(TITLES.length)];
            String cdn = CDNS[random.nextInt(CDNS.length)];
            long t = T0.toEpochMilli() + random.nextInt(5 * 60_000);
            List<Envelope> script = new ArrayList<>();
            script.add(event(session, title, cdn, EventType.PLAY, t, b -> b.setPositionMs(0)));
            if (random.nextInt(10) == 0) {
                script.add(
                        event(
                                session,
                                title,
                                cdn,
                                EventType.ERROR,
                                t + 1_000,
                                b ->
                                        b.setPositionMs(0)
                                                .setErrorCode("MANIFEST_LOAD_FAILED")
                                                .setErrorFatal(true)
                                                .setRenditionId("1000k")));
            } else {
                long startup = 300 + random.nextInt(3_000);
                script.add(
                        event(
                                session,
                                title,
                                cdn,
                                EventType.FIRST_FRAME,
                                t + startup,
                                b -> b.setPositionMs(0).setStartupTimeMs(startup)));
                for (int beat = 1; beat <= 6; beat++) {
                    long at = t + beat * HEARTBEAT_MS;
                    int bitrate = 1000 * (1 + random.nextInt(4));
                    String rendition = bitrate + "k";
                    script.add(
                            event(
                                    session,
                                    title,
                                    cdn,
                                    EventType.HEARTBEAT,
                                    at,
                                    b ->
                                            b.setPositionMs(at - t)
                                                    .setBitrateKbps(bitrate)
                                                    .setRenditionId(rendition)));
                    if (random.nextInt(5) == 0) {
                        long stall = 200 + random.nextInt(2_000);
                        script.add(
                                event(
                                        session,
                                        title,
                                        cdn,
                                        EventType.BUFFER_START,
                                        at + 1_000,
                                        b -> b.setPositionMs(at - t).setRenditionId(rendition)));
                        script.add(
                                event(
                                        session,
                                        title,
                                        cdn,
                                        EventType.BUFFER_END,
                                        at + 1_000 + stall,
                                        b ->
                                                b.setPositionMs(at - t)
                                                        .setBufferDurationMs(stall)
                                                        .setRenditionId(rendition)));
                        if (bitrate > 1000) {
                            int lower = bitrate - 1000;
                            script.add(
                                    event(
                                            session,
                                            title,
                                            cdn,
                                            EventType.BITRATE_SWITCH,
                                            at + 1_001 + stall,
                                            b ->
                                                    b.setPositionMs(at - t)
                                                            .setBitrateKbps(lower)
                                                            .setPreviousBitrateKbps(bitrate)
                                                            .setRenditionId(lower + "k")));
                        }
                    }
                }
            }
            for (int i = 0; i < script.size(); i++) {
                int swap = Math.min(script.size() - 1, i + random.nextInt(2));
                Collections.swap(script, i, swap);
            }
            events.addAll(script);
        }
        List<Envelope> heldBack = new ArrayList<>();
        List<Envelope> onTime = new ArrayList<>();
        for (Envelope e : events) {
            (random.nextInt(10) == 0 ? heldBack : onTime).add(e);
        }
        onTime.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        List<Envelope> ordered = new ArrayList<>(onTime);
        for (Envelope late : heldBack) {
            int position =
                    insertionPointAfter(ordered, late.getEventTime().toEpochMilli() + 40_000);
            ordered.add(position, late);
        }
        return ordered;
    }

    static int insertionPointAfter(List<Envelope> ordered, long time) {
        for (int i = 0; i < ordered.size(); i++) {
            if (ordered.get(i).getEventTime().toEpochMilli() > time) {
                return i;
            }
        }
        return ordered.size();
    }

    interface Details {
        PlayerEvent.Builder apply(PlayerEvent.Builder builder);
    }

    static Envelope event(
            String session, String title, String cdn, EventType type, long at, Details details) {
        PlayerEvent payload =
                details.apply(
                                PlayerEvent.newBuilder()
                                        .setSessionId(session)
                                        .setViewerId("v-" + session)
                                        .setAccountId("a-" + session)
                                        .setDeviceId("d-" + session)
                                        .setTitleId(title)
                                        .setDeviceClass(DeviceClass.TV)
                                        .setCdn(cdn)
                                        .setRegion("eu-west"))
                        .build();
        return Envelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventType(type)
                .setDomain(Domain.PLAYER)
                .setEventTime(Instant.ofEpochMilli(at))
                .setIngestTime(Instant.ofEpochMilli(at))
                .setProducer("it")
                .setOrigin(new Origin(Topics.RAW_PLAYER, 0, 0L))
                .setPayload(payload)
                .build();
    }
}
