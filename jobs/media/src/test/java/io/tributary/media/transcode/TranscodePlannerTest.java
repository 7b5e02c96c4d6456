package io.tributary.media.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.media.transcode.RenditionProgress.Status;
import io.tributary.media.transcode.TranscodePlanner.Breach;
import io.tributary.media.transcode.TranscodePlanner.Request;
import io.tributary.media.transcode.TranscodePlanner.Verdict;
import io.tributary.schemas.EventType;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TranscodePlannerTest {
    private static final long MIN = 60_000;
    private final TranscodePlanner planner =
            new TranscodePlanner(
                    Ladder.parse("500k,2000k"),
                    new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMinutes(1)),
                    new TranscodeSla(Duration.ofMinutes(5), Duration.ofMinutes(20)));
    private final Map<String, RenditionProgress> ladder = new HashMap<>();

    @BeforeEach
    void start() {
        assertThat(planner.start(ladder, 0))
                .containsExactly(new Request("500k", 500, 1), new Request("2000k", 2000, 1));
    }

    @Test
    void theLadderIsTranscodedWhenEveryRenditionCompleted() throws Exception {
        report(EventType.TRANSCODE_STARTED, "500k", 1, MIN);
        report(EventType.TRANSCODE_COMPLETED, "500k", 1, 2 * MIN);
        assertThat(planner.verdict(ladder)).isEqualTo(Verdict.IN_PROGRESS);
        report(EventType.TRANSCODE_STARTED, "2000k", 1, MIN);
        report(EventType.TRANSCODE_COMPLETED, "2000k", 1, 3 * MIN);
        assertThat(planner.verdict(ladder)).isEqualTo(Verdict.TRANSCODED);
        assertThat(planner.nextDeadline(ladder)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aFailedRenditionIsRetriedWithDoublingBackoffThenGivenUp() throws Exception {
        report(EventType.TRANSCODE_FAILED, "2000k", 1, MIN);
        assertThat(ladder.get("2000k").status).isEqualTo(Status.RETRY_WAIT);
        assertThat(planner.nextDeadline(ladder)).isEqualTo(MIN + 30_000);
        assertThat(planner.onTime(ladder, MIN + 29_999)).isEmpty();
        assertThat(planner.onTime(ladder, MIN + 30_000))
                .containsExactly(new Request("2000k", 2000, 2));

        report(EventType.TRANSCODE_STARTED, "2000k", 2, 2 * MIN);
        report(EventType.TRANSCODE_FAILED, "2000k", 2, 3 * MIN);
        assertThat(planner.nextDeadline(ladder))
                .as("second backoff doubles")
                .isEqualTo(3 * MIN + 60_000);
        assertThat(planner.onTime(ladder, 4 * MIN)).containsExactly(new Request("2000k", 2000, 3));

        report(EventType.TRANSCODE_FAILED, "2000k", 3, 5 * MIN);
        assertThat(ladder.get("2000k").status).isEqualTo(Status.GAVE_UP);
        assertThat(planner.verdict(ladder)).isEqualTo(Verdict.FAILED);
        assertThat(planner.failureReason(ladder))
                .isEqualTo("rendition 2000k failed 3 time(s), last: OOM");
    }

    @Test
    void slaBreachesAreReportedOncePerStatusAndAttempt() throws Exception {
        assertThat(planner.nextDeadline(ladder)).isEqualTo(5 * MIN);
        assertThat(planner.onTime(ladder, 5 * MIN))
                .containsExactly(
                        new Breach("500k", TranscodeSla.Kind.QUEUED_TOO_LONG, 1, 5 * MIN),
                        new Breach("2000k", TranscodeSla.Kind.QUEUED_TOO_LONG, 1, 5 * MIN));
        assertThat(planner.onTime(ladder, 6 * MIN)).as("reported once").isEmpty();

        report(EventType.TRANSCODE_STARTED, "500k", 1, 6 * MIN);
        assertThat(planner.nextDeadline(ladder)).isEqualTo(26 * MIN);
        assertThat(planner.onTime(ladder, 27 * MIN))
                .containsExactly(
                        new Breach("500k", TranscodeSla.Kind.RUNNING_TOO_LONG, 1, 21 * MIN));
    }

    @Test
    void staleAndRepeatedReportsAreIgnored() throws Exception {
        report(EventType.TRANSCODE_FAILED, "500k", 1, MIN);
        planner.onTime(ladder, 2 * MIN);
        assertThat(ladder.get("500k").attempt).isEqualTo(2);

        assertThat(
                        planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_FAILED,
                                        "500k",
                                        1,
                                        "w1",
                                        "late",
                                        3 * MIN)
                                .ignored())
                .as("a failure of the superseded attempt")
                .isTrue();
        assertThat(
                        planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_STARTED,
                                        "500k",
                                        1,
                                        "w1",
                                        null,
                                        3 * MIN)
                                .ignored())
                .isTrue();
        report(EventType.TRANSCODE_STARTED, "500k", 2, 3 * MIN);
        assertThat(
                        planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_PROGRESS,
                                        "500k",
                                        2,
                                        "w2",
                                        null,
                                        4 * MIN)
                                .ignored())
                .isTrue();
        report(EventType.TRANSCODE_COMPLETED, "500k", 2, 5 * MIN);
        assertThat(
                        planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_COMPLETED,
                                        "500k",
                                        2,
                                        "w2",
                                        null,
                                        6 * MIN)
                                .ignored())
                .as("a repeated completion")
                .isTrue();
    }

    @Test
    void reportsThatDoNotFitAreInvalid() throws Exception {
        assertThatThrownBy(
                        () ->
                                planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_STARTED,
                                        "4000k",
                                        1,
                                        "w",
                                        null,
                                        MIN))
                .isInstanceOf(TranscodePlanner.InvalidReport.class)
                .hasMessage(
                        "TRANSCODE_STARTED for rendition 4000k, which is not on the ladder 500k,2000k");
        assertThatThrownBy(
                        () ->
                                planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_STARTED,
                                        "500k",
                                        2,
                                        "w",
                                        null,
                                        MIN))
                .hasMessage(
                        "TRANSCODE_STARTED for attempt 2 of rendition 500k, but only attempt 1 was requested");
        report(EventType.TRANSCODE_COMPLETED, "500k", 1, MIN);
        assertThatThrownBy(
                        () ->
                                planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_FAILED,
                                        "500k",
                                        1,
                                        "w",
                                        "x",
                                        2 * MIN))
                .hasMessage("TRANSCODE_FAILED for rendition 500k attempt 1, which is DONE");
        assertThatThrownBy(
                        () ->
                                planner.onReport(
                                        ladder,
                                        EventType.TRANSCODE_STARTED,
                                        "500k",
                                        1,
                                        "w",
                                        null,
                                        2 * MIN))
                .hasMessage("TRANSCODE_STARTED for rendition 500k attempt 1, which is DONE");
        assertThatThrownBy(
                        () ->
                                planner.onReport(
                                        ladder, EventType.PACKAGED, "500k", 1, "w", null, 2 * MIN))
                .hasMessage("PACKAGED is not a worker report");
    }

    @Test
    void ladderAndRetryPolicyValidateTheirSettings() {
        assertThat(Ladder.parse("4000k, 500k,1000k").toString()).isEqualTo("500k,1000k,4000k");
        assertThatThrownBy(() -> Ladder.parse("500k,fast"))
                .hasMessage("ladder rung 'fast' is not a bitrate such as 2000k");
        assertThatThrownBy(() -> Ladder.parse("500k,500k"))
                .hasMessage("ladder rung '500k' appears twice");
        RetryPolicy retry = new RetryPolicy(10, Duration.ofSeconds(10), Duration.ofSeconds(70));
        assertThat(retry.backoffMs(1)).isEqualTo(10_000);
        assertThat(retry.backoffMs(3)).isEqualTo(40_000);
        assertThat(retry.backoffMs(4)).isEqualTo(70_000);
        assertThat(retry.backoffMs(9)).isEqualTo(70_000);
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("at least 1");
    }

    private void report(EventType type, String rendition, int attempt, long time) throws Exception {
        TranscodePlanner.Reaction reaction =
                planner.onReport(
                        ladder,
                        type,
                        rendition,
                        attempt,
                        "worker-1",
                        type == EventType.TRANSCODE_FAILED ? "OOM" : null,
                        time);
        assertThat(reaction.ignored())
                .as(type + " " + rendition + " attempt " + attempt + " was acted on")
                .isFalse();
    }
}
