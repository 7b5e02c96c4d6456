package io.tributary.aggregations;

import static io.tributary.aggregations.AggregationsScenario.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.testkit.flink.CollectingSink;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.flink.InMemoryEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The aggregations job on in-memory input and collecting sinks, on a MiniCluster at parallelism 2:
 * the job's behaviour in seconds, without Kafka, the registry or a database (flink-training's
 * style). Each domain's events come from a source of their own, in arrival order (some held back
 * within the allowed lateness), with the job's event-time rules ({@link InMemoryEvents}). {@link
 * AggregationsJobIT} proves the same results exactly once on real parts.
 */
class AggregationsJobTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    private final Outputs out = new Outputs();

    @AfterEach
    void clear() {
        out.clear();
    }

    @Test
    void everyWindowsFinalRevisionEqualsAStraightforwardComputation() throws Exception {
        Random random = new Random(11);
        List<Envelope> plays = sessions(120, random);
        List<Envelope> orders = orders(80, random);
        List<Envelope> readings = readings(random);

        run(plays, orders, readings);

        assertQoe(out.qoe.received(), plays);
        assertRenditions(out.renditions.received(), plays);
        assertCommerce(out.commerce.received(), orders);
        assertSessions(out.sessions.received(), plays);
        assertTrending(out.trending.received(), plays);
        assertIot(out.iot.received(), readings);
        assertThat(out.late.received())
                .as("nothing in this input is later than the allowed lateness")
                .isEmpty();
    }

    @Test
    void anEventLaterThanTheAllowedLatenessGoesToTheLateEventsOnceAndChangesNoResult()
            throws Exception {
        Random random = new Random(23);
        List<Envelope> readings = readings(random);
        List<Envelope> later = halfAnHourLater(readings);
        Envelope tooLate =
                Envelope.newBuilder(later.get(0))
                        .setEventId("too-late")
                        .setEventTime(T0.plusSeconds(1))
                        .setPayload(
                                new IotTelemetry("edge-0", "temperature", 999.0, "celsius", null))
                        .build();
        List<Envelope> arrivals = new ArrayList<>(readings);
        arrivals.addAll(later);
        arrivals.add(tooLate);

        // At parallelism 1: with two local combiners the window's watermark is the lower of
        // theirs, and the late event's partial could overtake the other combiner's watermark, so
        // whether it is too late would depend on thread timing. One channel keeps it in order.
        run(1, List.of(), List.of(), arrivals);

        List<Envelope> onTime = new ArrayList<>(readings);
        onTime.addAll(later);
        assertIot(out.iot.received(), onTime);
        assertThat(out.late.received())
                .extracting(Envelope::getEventId)
                .containsExactly("too-late");
        assertThat(out.late.received().get(0).getDomain()).isEqualTo(Domain.IOT);
        assertThat(out.late.received().get(0).getEventType()).isEqualTo(EventType.TELEMETRY);
    }

    private void run(List<Envelope> plays, List<Envelope> orders, List<Envelope> readings)
            throws Exception {
        run(FlinkTestClusters.PARALLELISM, plays, orders, readings);
    }

    private void run(
            int parallelism, List<Envelope> plays, List<Envelope> orders, List<Envelope> readings)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.getConfig().disableGenericTypes();
        DataStream<Envelope> events =
                InMemoryEvents.arriving(env, SETTINGS.maxOutOfOrderness(), plays, orders, readings);
        AggregationsJob.build(CanonicalInput.of(events), SETTINGS, out.sinks());
        env.execute("aggregations in memory");
    }

    /** A collecting sink per output of the job. */
    private static final class Outputs {
        final CollectingSink<QoeMinute> qoe = new CollectingSink<>();
        final CollectingSink<QoeRenditionMinute> renditions = new CollectingSink<>();
        final CollectingSink<CommerceMinute> commerce = new CollectingSink<>();
        final CollectingSink<IotDevice5m> iot = new CollectingSink<>();
        final CollectingSink<ViewerSession> sessions = new CollectingSink<>();
        final CollectingSink<TrendingTitles> trending = new CollectingSink<>();
        final CollectingSink<Envelope> late = new CollectingSink<>();
        final CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();

        AggregationsJob.Sinks sinks() {
            return new AggregationsJob.Sinks(
                    qoe, renditions, commerce, iot, sessions, trending, late, deadLetters);
        }

        void clear() {
            for (CollectingSink<?> sink :
                    List.of(
                            qoe,
                            renditions,
                            commerce,
                            iot,
                            sessions,
                            trending,
                            late,
                            deadLetters)) {
                sink.clear();
            }
        }
    }
}
