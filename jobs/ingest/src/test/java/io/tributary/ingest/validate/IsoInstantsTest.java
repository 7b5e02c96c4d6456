package io.tributary.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The fast path must agree with {@link Instant#parse} on every text, accepted or refused. */
class IsoInstantsTest {

    @Property(tries = 5_000)
    void agreesWithInstantParseOnInstantsItPrints(@ForAll("instants") Instant instant) {
        String text = instant.toString();
        assertThat(IsoInstants.toEpochMilli(text)).as(text).isEqualTo(instant.toEpochMilli());
        assertThat(IsoInstants.fastPath(text))
                .as("fast path taken for %s", text)
                .isNotEqualTo(Long.MIN_VALUE);
    }

    @Property(tries = 5_000)
    void agreesWithInstantParseOnMutatedTexts(@ForAll("mutatedInstants") String text) {
        Long expected;
        try {
            expected = Instant.parse(text).toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            expected = null;
        }
        if (expected == null) {
            assertThatThrownBy(() -> IsoInstants.toEpochMilli(text))
                    .as(text)
                    .isInstanceOf(DateTimeException.class);
        } else {
            assertThat(IsoInstants.toEpochMilli(text)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void readsTheFormsGatewaysSend() {
        assertThat(IsoInstants.toEpochMilli("2026-11-22T10:15:30Z"))
                .isEqualTo(Instant.parse("2026-11-22T10:15:30Z").toEpochMilli());
        assertThat(IsoInstants.toEpochMilli("2026-11-22T10:15:30.1Z"))
                .isEqualTo(Instant.parse("2026-11-22T10:15:30.100Z").toEpochMilli());
        assertThat(IsoInstants.toEpochMilli("2024-02-29T23:59:59.999999999Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli());
        assertThat(IsoInstants.toEpochMilli("1969-12-31T23:59:59.5Z")).isEqualTo(-500);
        // Leap seconds, 24:00 and offsets are the general parser's.
        assertThat(IsoInstants.toEpochMilli("2016-12-31T23:59:60Z"))
                .isEqualTo(Instant.parse("2016-12-31T23:59:60Z").toEpochMilli());
        assertThat(IsoInstants.toEpochMilli("2026-11-22T24:00:00Z"))
                .isEqualTo(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli());
        assertThat(IsoInstants.toEpochMilli("2026-11-22T11:15:30+01:00"))
                .isEqualTo(Instant.parse("2026-11-22T10:15:30Z").toEpochMilli());
    }

    @Test
    void refusesImpossibleDatesAndInstantsBeyondEpochMillis() {
        for (String text :
                new String[] {
                    "2023-02-29T00:00:00Z",
                    "2026-13-01T00:00:00Z",
                    "2026-04-31T00:00:00Z",
                    "2026-11-22T10:15:30.12aZ",
                    "2026-11-22T10:15:30.1234567890Z",
                    "+1000000000-01-01T00:00:00Z",
                    "2026-11-22 10:15:30Z",
                    "2026-11-2xT10:15:30Z"
                }) {
            assertThatThrownBy(() -> IsoInstants.toEpochMilli(text))
                    .as(text)
                    .isInstanceOf(DateTimeException.class);
        }
    }

    @Provide
    Arbitrary<Instant> instants() {
        // Years 0000-9999, the fast path's range; any nanosecond, so every fraction length occurs.
        return Arbitraries.longs()
                .between(
                        Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond())
                .flatMap(
                        seconds ->
                                Arbitraries.oneOf(
                                                Arbitraries.just(0),
                                                Arbitraries.integers()
                                                        .between(0, 999)
                                                        .map(ms -> ms * 1_000_000),
                                                Arbitraries.integers().between(0, 999_999_999))
                                        .map(nanos -> Instant.ofEpochSecond(seconds, nanos)));
    }

    @Provide
    Arbitrary<String> mutatedInstants() {
        Arbitrary<Character> replacement =
                Arbitraries.of(
                        '0', '1', '2', '3', '5', '9', '-', ':', '.', 'T', 'Z', '+', ' ', 'x');
        return instants()
                .map(Instant::toString)
                .flatMap(
                        text ->
                                Arbitraries.integers()
                                        .between(0, text.length() - 1)
                                        .flatMap(
                                                position ->
                                                        Arbitraries.oneOf(
                                                                replacement.map(
                                                                        c ->
                                                                                text.substring(
                                                                                                0,
                                                                                                position)
                                                                                        + c
                                                                                        + text
                                                                                                .substring(
                                                                                                        position
                                                                                                                + 1)),
                                                                Arbitraries.just(
                                                                        text.substring(0, position)
                                                                                + text.substring(
                                                                                        position
                                                                                                + 1)),
                                                                replacement.map(
                                                                        c ->
                                                                                text.substring(
                                                                                                0,
                                                                                                position)
                                                                                        + c
                                                                                        + text
                                                                                                .substring(
                                                                                                        position)))));
    }
}
