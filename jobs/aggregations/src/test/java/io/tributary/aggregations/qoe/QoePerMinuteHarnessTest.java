package io.tributary.aggregations.qoe;

import static io.tributary.aggregations.qoe.PlayerEvents.MINUTE;
import static io.tributary.aggregations.qoe.PlayerEvents.SECOND;
import static io.tributary.aggregations.qoe.PlayerEvents.firstFrame;
import static io.tributary.aggregations.qoe.PlayerEvents.heartbeat;
import static io.tributary.aggregations.qoe.PlayerEvents.play;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.aggregations.window.Partial;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window operator exactly as the job builds it, driven by hand-made watermarks. It receives
 * partials; here each event comes alone, as the combiner sends an event that may be too late, so
 * the window decides about every event itself.
 */
class QoePerMinuteHarnessTest {
    private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(2);
    private static final long END_OF_FIRST_MINUTE = MINUTE - 1;

    private KeyedOneInputStreamOperatorTestHarness<
                    QoeDimensions, Partial<QoeDimensions, QoeAccumulator>, QoeMinute>
            harness;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        var window =
                (OneInputTransformation<Partial<QoeDimensions, QoeAccumulator>, QoeMinute>)
                        QoePerMinute.apply(
                                        env.fromData(play("seed", 0)),
                                        ALLOWED_LATENESS,
                                        Duration.ofSeconds(10))
                                .results()
                                .getTransformation();
        var operator =
                (OneInputStreamOperator<Partial<QoeDimensions, QoeAccumulator>, QoeMinute>)
                        ((SimpleOperatorFactory<QoeMinute>) window.getOperatorFactory())
                                .getOperator();
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator,
                        (KeySelector<Partial<QoeDimensions, QoeAccumulator>, QoeDimensions>)
                                window.getStateKeySelector(),
                        (org.apache.flink.api.common.typeinfo.TypeInformation<QoeDimensions>)
                                window.getStateKeyType());
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void firesAtTheWatermarkUpdatesOnLateEventsAndThenForgets() throws Exception {
        send(
                play("a", 5 * SECOND),
                firstFrame("a", 6 * SECOND, 900),
                heartbeat("a", 16 * SECOND, 2000));
        harness.processWatermark(END_OF_FIRST_MINUTE - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(END_OF_FIRST_MINUTE);
        List<QoeMinute> fired = harness.extractOutputValues();
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0).getRevision()).isEqualTo(1);
        assertThat(fired.get(0).getPlays()).isEqualTo(1);
        assertThat(fired.get(0).getWindowStart().toEpochMilli()).isZero();
        assertThat(fired.get(0).getWindowEnd().toEpochMilli()).isEqualTo(MINUTE);

        // Late, but within the allowed lateness: the window fires again with the event counted.
        harness.processWatermark(MINUTE + 30 * SECOND);
        send(play("b", 40 * SECOND));
        QoeMinute revised = harness.extractOutputValues().get(1);
        assertThat(revised.getRevision()).isEqualTo(2);
        assertThat(revised.getPlays()).isEqualTo(2);
        assertThat(revised.getActiveSessions()).isEqualTo(2);

        // Past the allowed lateness the window and its revision counter are gone.
        harness.processWatermark(MINUTE + ALLOWED_LATENESS.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        send(play("c", 50 * SECOND));
        assertThat(harness.extractOutputValues()).hasSize(2);
        OutputTag<Partial<QoeDimensions, QoeAccumulator>> tooLate =
                new OutputTag<>(
                        TwoPhaseWindow.tooLateTagId(QoePerMinute.WINDOW_UID),
                        Partial.typeInfo(
                                TypeInformation.of(QoeDimensions.class),
                                TypeInformation.of(QoeAccumulator.class)));
        assertThat(harness.getSideOutput(tooLate))
                .extracting(
                        record ->
                                ((PlayerEvent) record.getValue().event.getPayload()).getSessionId())
                .containsExactly("c");
    }

    @Test
    void mergesCombinedPartialsIntoOneWindow() throws Exception {
        QoeAccumulator first = new QoeAccumulator();
        first.add(EventType.PLAY, (PlayerEvent) play("a", SECOND).getPayload());
        first.add(EventType.PLAY, (PlayerEvent) play("b", 2 * SECOND).getPayload());
        QoeAccumulator second = new QoeAccumulator();
        second.add(EventType.PLAY, (PlayerEvent) play("c", 3 * SECOND).getPayload());
        QoeDimensions dims = QoeDimensions.of((PlayerEvent) play("a", SECOND).getPayload());
        harness.processElement(new StreamRecord<>(Partial.combined(dims, first), 0));
        harness.processElement(new StreamRecord<>(Partial.combined(dims, second), 0));
        harness.processWatermark(END_OF_FIRST_MINUTE);

        QoeMinute fired = harness.extractOutputValues().get(0);
        assertThat(fired.getPlays()).isEqualTo(3);
        assertThat(fired.getActiveSessions()).isEqualTo(3);
    }

    @Test
    void eachMinuteIsItsOwnWindow() throws Exception {
        send(
                play("a", 10 * SECOND),
                play("b", MINUTE + 10 * SECOND),
                play("c", MINUTE + 20 * SECOND));
        harness.processWatermark(2 * MINUTE);

        assertThat(harness.extractOutputValues())
                .extracting(QoeMinute::getPlays)
                .containsExactly(1L, 2L);
    }

    private void send(Envelope... events) throws Exception {
        for (Envelope event : events) {
            QoeAccumulator alone = new QoeAggregate().add(event, new QoeAccumulator());
            harness.processElement(
                    new StreamRecord<>(
                            Partial.alone(
                                    QoeDimensions.of((PlayerEvent) event.getPayload()),
                                    alone,
                                    event),
                            event.getEventTime().toEpochMilli()));
        }
    }
}
