package io.tributary.cep.job;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.schemas.Envelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Input for the rule integration tests, with the alerts it must raise written down as it is made:
 * sessions that stall in storms or never start, accounts that test cards, and for each a near miss
 * that must raise nothing; plus heartbeats and payments nobody should alert on.
 */
final class CepTraffic {
    /** One alert the input must raise: rule, key and matched event ids in pattern order. */
    record ExpectedAlert(String rule, String key, List<String> events) {}

    final List<Envelope> player = new ArrayList<>();
    final List<Envelope> commerce = new ArrayList<>();
    final Set<ExpectedAlert> expected = new HashSet<>();
    final Set<String> nearMissKeys = new HashSet<>();

    private final long t0;
    private final Random random;
    private final String prefix;

    CepTraffic(Instant t0, long seed, String prefix) {
        this.t0 = t0.toEpochMilli();
        this.random = new Random(seed);
        this.prefix = prefix;
    }

    CepTraffic storms(int count) {
        for (int s = 0; s < count; s++) {
            String session = prefix + "storm-" + s;
            long start = at(5);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(player(session, "BUFFER_START", start + i * 15_000L, ""));
            }
            expected.add(new ExpectedAlert("rebuffering-storm", session, ids));
            heartbeats(session, start, 6);
        }
        return this;
    }

    CepTraffic stallsSpreadOut(int count) {
        for (int s = 0; s < count; s++) {
            String session = prefix + "spread-" + s;
            long start = at(5);
            for (int i = 0; i < 3; i++) {
                player(session, "BUFFER_START", start + i * 35_000L, "");
            }
            nearMissKeys.add(session);
        }
        return this;
    }

    CepTraffic startFailures(int count) {
        for (int s = 0; s < count; s++) {
            String session = prefix + "nostart-" + s;
            String play = player(session, "PLAY", at(5), "");
            expected.add(new ExpectedAlert("playback-start-failure", session, List.of(play)));
        }
        return this;
    }

    CepTraffic startsInTime(int count) {
        for (int s = 0; s < count; s++) {
            String session = prefix + "started-" + s;
            long start = at(5);
            player(session, "PLAY", start, "");
            player(
                    session,
                    "FIRST_FRAME",
                    start + 1_000 + random.nextInt(8_000),
                    ", \"startupTimeMs\": 900");
            heartbeats(session, start, 3);
            nearMissKeys.add(session);
        }
        return this;
    }

    CepTraffic cardTesting(int count) {
        for (int a = 0; a < count; a++) {
            String account = prefix + "tester-" + a;
            long start = at(5);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(commerce(account, "PAYMENT_FAILED", start + i * 10_000L));
            }
            ids.add(commerce(account, "PAYMENT_SUCCEEDED", start + 40_000));
            expected.add(new ExpectedAlert("card-testing", account, ids));
        }
        return this;
    }

    CepTraffic honestRetries(int count) {
        for (int a = 0; a < count; a++) {
            String account = prefix + "honest-" + a;
            long start = at(5);
            commerce(account, "PAYMENT_FAILED", start);
            commerce(account, "PAYMENT_FAILED", start + 20_000);
            commerce(account, "PAYMENT_SUCCEEDED", start + 30_000);
            nearMissKeys.add(account);
        }
        return this;
    }

    /** Everything in event-time order, as producers would send it (up to a second out of order). */
    CepTraffic shuffleSlightly() {
        for (List<Envelope> events : List.of(player, commerce)) {
            events.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
            for (int i = 0; i + 1 < events.size(); i++) {
                long gap =
                        events.get(i + 1).getEventTime().toEpochMilli()
                                - events.get(i).getEventTime().toEpochMilli();
                if (gap < 1_000 && random.nextBoolean()) {
                    java.util.Collections.swap(events, i, i + 1);
                }
            }
        }
        return this;
    }

    private void heartbeats(String session, long start, int count) {
        for (int i = 1; i <= count; i++) {
            player(session, "HEARTBEAT", start + i * 10_000L, ", \"bitrateKbps\": 3000");
        }
    }

    private long at(int minutes) {
        return t0 + random.nextInt(minutes * 60_000);
    }

    private String player(String session, String type, long time, String extra) {
        String id = session + "-" + type.toLowerCase(Locale.ROOT) + "-" + time;
        player.add(
                event(
                        String.format(
                                Locale.ROOT,
                                "{\"id\": \"%s\", \"type\": \"%s\", \"time\": \"%s\", \"sessionId\": \"%s\", \"accountId\": \"acct-%s\","
                                        + " \"deviceId\": \"dev-%s\", \"region\": \"eu-west\", \"titleId\": \"t-1\", \"cdn\": \"fastly\"%s}",
                                id,
                                type,
                                Instant.ofEpochMilli(time),
                                session,
                                session,
                                session,
                                extra)));
        return id;
    }

    private String commerce(String account, String type, long time) {
        String id = account + "-" + type.toLowerCase(Locale.ROOT) + "-" + time;
        commerce.add(
                event(
                        String.format(
                                Locale.ROOT,
                                "{\"id\": \"%s\", \"type\": \"%s\", \"time\": \"%s\", \"accountId\": \"%s\", \"orderId\": \"o-%s\","
                                        + " \"amountMinor\": 1999, \"currency\": \"EUR\", \"country\": \"DE\"}",
                                id,
                                type,
                                Instant.ofEpochMilli(time),
                                account,
                                account)));
        return id;
    }

    private static Envelope event(String json) {
        try {
            return FixtureEvents.parse("traffic", List.of(json)).get(0);
        } catch (FixtureEvents.BadFixture e) {
            throw new IllegalStateException(e);
        }
    }
}
