package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.testkit.Repository;
import io.tributary.testkit.flink.CollectingSink;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.flink.InMemoryEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CEP job with every shipped rule on in-memory input and collecting sinks, on a MiniCluster at
 * parallelism 2: what it detects, what it leaves alone and where late events go, in seconds and
 * without Kafka or the registry. {@link CepRulesJobIT} proves the same alerts exactly once on real
 * parts.
 */
class CepRulesJobTest {
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

    private final CollectingSink<Alert> alerts = new CollectingSink<>();
    private final CollectingSink<Envelope> late = new CollectingSink<>();
    private final CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();

    @AfterEach
    void clear() {
        alerts.clear();
        late.clear();
        deadLetters.clear();
    }

    @Test
    void everyExpectedAlertOnceAndNoneForNearMisses() throws Exception {
        CepTraffic traffic =
                new CepTraffic(T0, 5, "")
                        .storms(30)
                        .stallsSpreadOut(20)
                        .startFailures(30)
                        .startsInTime(60)
                        .cardTesting(15)
                        .honestRetries(15)
                        .shuffleSlightly();

        run(RuleLoader.load(Repository.rules()).rulesOrThrow(), traffic.player, traffic.commerce);

        Map<CepTraffic.ExpectedAlert, Integer> received = new HashMap<>();
        for (Alert alert : alerts.received()) {
            received.merge(
                    new CepTraffic.ExpectedAlert(
                            alert.getRuleId(), alert.getKey(), alert.getMatchedEventIds()),
                    1,
                    Integer::sum);
        }
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(traffic.expected);
        assertThat(received.values()).as("each alert once").allMatch(n -> n == 1);
        assertThat(alerts.received())
                .as("near misses raise nothing")
                .noneMatch(a -> traffic.nearMissKeys.contains(a.getKey()));
        assertThat(alerts.received())
                .allSatisfy(
                        alert -> {
                            assertThat(alert.getMatchedEventCount())
                                    .isEqualTo(alert.getMatchedEventIds().size());
                            assertThat(alert.getPartialMatchesCut()).isZero();
                            assertThat(alert.getFirstEventTime())
                                    .isBeforeOrEqualTo(alert.getLastEventTime());
                        });
        assertThat(late.received()).as("nothing in this input is late").isEmpty();
    }

    @Test
    void anEventBehindTheWatermarkGoesToTheLateEventsAndMatchesNothing() throws Exception {
        List<Rule> storm =
                RuleLoader.load(Repository.rules().resolve("player/rebuffering-storm.yaml"))
                        .rulesOrThrow();
        List<Envelope> player = new ArrayList<>();
        player.addAll(
                events(
                        player("c1", "BUFFER_START", 0, "carry"),
                        player("c2", "BUFFER_START", 10, "carry"),
                        player("c3", "BUFFER_START", 20, "carry"),
                        player("h1", "HEARTBEAT", 300, "other"),
                        // Behind the watermark (300 s - 5 s) by far: late, and no fourth stall for
                        // "again".
                        player("late", "BUFFER_START", 60, "again"),
                        player("a1", "BUFFER_START", 301, "again"),
                        player("a2", "BUFFER_START", 302, "again")));

        run(storm, player, List.of());

        assertThat(alerts.received())
                .extracting(Alert::getKey, Alert::getMatchedEventIds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("carry", List.of("c1", "c2", "c3")));
        assertThat(late.received()).extracting(Envelope::getEventId).containsExactly("late");
    }

    private void run(List<Rule> rules, List<Envelope> player, List<Envelope> commerce)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.getConfig().disableGenericTypes();
        DataStream<Envelope> events =
                InMemoryEvents.arriving(env, OUT_OF_ORDERNESS, player, commerce);
        CepRulesJob.build(
                CanonicalInput.of(events), rules, new CepRulesJob.Sinks(alerts, late, deadLetters));
        env.execute("cep rules in memory");
    }

    private static String player(String id, String type, int second, String session) {
        return String.format(
                Locale.ROOT,
                "{\"id\": \"%s\", \"type\": \"%s\", \"time\": \"%s\", \"sessionId\": \"%s\"}",
                id,
                type,
                T0.plusSeconds(second),
                session);
    }

    private static List<Envelope> events(String... lines) throws FixtureEvents.BadFixture {
        return FixtureEvents.parse("cep-rules-job-test", List.of(lines));
    }
}
