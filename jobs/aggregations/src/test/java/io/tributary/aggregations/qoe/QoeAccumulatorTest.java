package io.tributary.aggregations.qoe;

import static io.tributary.aggregations.qoe.PlayerEvents.DIMS;
import static io.tributary.aggregations.qoe.PlayerEvents.SECOND;
import static io.tributary.aggregations.qoe.PlayerEvents.bitrateSwitch;
import static io.tributary.aggregations.qoe.PlayerEvents.bufferEnd;
import static io.tributary.aggregations.qoe.PlayerEvents.bufferStart;
import static io.tributary.aggregations.qoe.PlayerEvents.fatalErrorBeforeFirstFrame;
import static io.tributary.aggregations.qoe.PlayerEvents.firstFrame;
import static io.tributary.aggregations.qoe.PlayerEvents.heartbeat;
import static io.tributary.aggregations.qoe.PlayerEvents.play;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeMinute;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class QoeAccumulatorTest {
    private static final long HEARTBEAT_MS = 10 * SECOND;

    /** Two sessions that play, one failing session, with buffering and a downswitch. */
    private static final List<Envelope> MINUTE_OF_PLAYBACK =
            List.of(
                    play("a", 1 * SECOND),
                    firstFrame("a", 2 * SECOND, 800),
                    play("b", 3 * SECOND),
                    firstFrame("b", 4 * SECOND, 1_600),
                    play("c", 5 * SECOND),
                    fatalErrorBeforeFirstFrame("c", 6 * SECOND),
                    heartbeat("a", 12 * SECOND, 4000),
                    heartbeat("b", 14 * SECOND, 2000),
                    bufferStart("b", 20 * SECOND),
                    bufferEnd("b", 22 * SECOND, 2_000),
                    bitrateSwitch("b", 22 * SECOND, 2000, 1000),
                    heartbeat("a", 22 * SECOND, 4000),
                    heartbeat("b", 24 * SECOND, 1000));

    private static QoeMinute aggregate(List<Envelope> events) {
        QoeAccumulator acc = new QoeAccumulator();
        QoeAggregate aggregate = new QoeAggregate();
        events.forEach(e -> aggregate.add(e, acc));
        return acc.toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS);
    }

    @Test
    void computesTheQoeOfAMinute() {
        QoeMinute qoe = aggregate(MINUTE_OF_PLAYBACK);

        assertThat(qoe.getPlays()).isEqualTo(3);
        assertThat(qoe.getPlayFailures()).isEqualTo(1);
        assertThat(qoe.getStartupTimeAvgMs()).isEqualTo(1_200.0);
        assertThat(qoe.getStartupTimeP95Ms()).isEqualTo(1_600.0);
        assertThat(qoe.getRebufferCount()).isEqualTo(1);
        assertThat(qoe.getBufferingMs()).isEqualTo(2_000);
        assertThat(qoe.getWatchTimeMs()).isEqualTo(4 * HEARTBEAT_MS);
        assertThat(qoe.getRebufferRatio()).isCloseTo(2_000.0 / 40_000, within(1e-9));
        assertThat(qoe.getAvgBitrateKbps()).isEqualTo((4000 + 2000 + 4000 + 1000) / 4.0);
        assertThat(qoe.getBitrateSwitches()).isEqualTo(1);
        assertThat(qoe.getErrors()).isEqualTo(1);
        assertThat(qoe.getErrorRate()).isCloseTo(1 / 3.0, within(1e-9));
        assertThat(qoe.getActiveSessions()).isEqualTo(3);
    }

    @Test
    void ratiosAreAbsentRatherThanDividedByZero() {
        QoeMinute qoe = aggregate(List.of(bufferStart("x", SECOND)));

        assertThat(qoe.getRebufferRatio()).isNull();
        assertThat(qoe.getErrorRate()).isNull();
        assertThat(qoe.getStartupTimeAvgMs()).isNull();
        assertThat(qoe.getStartupTimeP95Ms()).isNull();
        assertThat(qoe.getAvgBitrateKbps()).isNull();
    }

    @Test
    void mergingPartialAccumulatorsEqualsAccumulatingEverything() {
        QoeAggregate aggregate = new QoeAggregate();
        QoeAccumulator first = aggregate.createAccumulator();
        QoeAccumulator second = aggregate.createAccumulator();
        for (int i = 0; i < MINUTE_OF_PLAYBACK.size(); i++) {
            aggregate.add(MINUTE_OF_PLAYBACK.get(i), i % 2 == 0 ? first : second);
        }
        QoeMinute merged =
                aggregate.merge(first, second).toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS);

        assertThat(merged).isEqualTo(aggregate(MINUTE_OF_PLAYBACK));
    }

    @Test
    void distinctSessionsStayWithinTheSketchErrorBound() {
        QoeAccumulator acc = new QoeAccumulator();
        int sessions = 50_000;
        for (int i = 0; i < sessions; i++) {
            acc.add(
                    io.tributary.schemas.EventType.HEARTBEAT,
                    (io.tributary.schemas.player.PlayerEvent)
                            heartbeat("s-" + i, SECOND, 2000).getPayload());
        }
        long estimate = acc.toResult(DIMS, 0, 1, 1, HEARTBEAT_MS).getActiveSessions();
        // Three standard errors of HLL at lgK=11 (RSE 1.04/sqrt(2048) = 2.3%).
        assertThat((double) estimate).isCloseTo(sessions, within(sessions * 0.069));
    }

    @Test
    void theSerializerRoundTripsCountersAndSketches() throws Exception {
        QoeAccumulator acc = new QoeAccumulator();
        QoeAggregate aggregate = new QoeAggregate();
        MINUTE_OF_PLAYBACK.forEach(e -> aggregate.add(e, acc));
        DataOutputSerializer out = new DataOutputSerializer(256);
        QoeAccumulatorSerializer.INSTANCE.serialize(acc, out);

        QoeAccumulator restored =
                QoeAccumulatorSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(restored.toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS))
                .isEqualTo(acc.toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS));
        assertThat(
                        QoeAccumulatorSerializer.INSTANCE
                                .copy(acc)
                                .toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS))
                .isEqualTo(acc.toResult(DIMS, 0, 60 * SECOND, 1, HEARTBEAT_MS));
    }
}
