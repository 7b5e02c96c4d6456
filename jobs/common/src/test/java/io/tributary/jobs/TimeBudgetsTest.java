package io.tributary.jobs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeBudgetsTest {

    @Test
    void dedupMustOutliveTheOldestAcceptedCopy() {
        assertThatCode(
                        () ->
                                TimeBudgets.requireDedupCoversAcceptedAge(
                                        Duration.ofHours(25),
                                        Duration.ofHours(24),
                                        Duration.ofMinutes(5)))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                TimeBudgets.requireDedupCoversAcceptedAge(
                                        Duration.ofHours(24),
                                        Duration.ofDays(7),
                                        Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--dedup-ttl 24h")
                .hasMessageContaining("--max-event-age 168h")
                .hasMessageContaining("at least 168h5m");
    }

    @Test
    void eventTimeMayNotRunFurtherAheadThanTheBrokerAcceptsTimestamps() {
        assertThatCode(
                        () ->
                                TimeBudgets.requireFutureSkewWithinBroker(
                                        Duration.ofMinutes(5), Duration.ofHours(1)))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                TimeBudgets.requireFutureSkewWithinBroker(
                                        Duration.ofHours(2), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-future-skew 2h")
                .hasMessageContaining("log.message.timestamp.after.max.ms (1h)");
    }

    @Test
    void aTransactionTimeoutAboveTheBrokersLimitIsRefused() {
        assertThatCode(
                        () ->
                                TimeBudgets.requireTransactionTimeoutWithinBroker(
                                        Duration.ofMinutes(10), Duration.ofMinutes(15)))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                TimeBudgets.requireTransactionTimeoutWithinBroker(
                                        Duration.ofHours(1), Duration.ofMinutes(15)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--transaction-timeout 1h")
                .hasMessageContaining("transaction.max.timeout.ms (15m)");
    }

    @Test
    void transactionsMustOutliveTheOutageTheJobClaimsToSurvive() {
        assertThatCode(
                        () ->
                                TimeBudgets.requireTransactionOutlivesOutage(
                                        Duration.ofMinutes(10),
                                        Duration.ofMinutes(4),
                                        Duration.ofSeconds(10)))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                TimeBudgets.requireTransactionOutlivesOutage(
                                        Duration.ofMinutes(10),
                                        Duration.ofMinutes(10),
                                        Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--transaction-timeout 10m")
                .hasMessageContaining("--max-outage 10m")
                .hasMessageContaining("at least 10m10s");
    }

    @Test
    void theDefaultsAgree() {
        RuntimeOptions defaults = new RuntimeOptions();
        new picocli.CommandLine(defaults).parseArgs();
        assertThatCode(
                        () ->
                                TimeBudgets.requireTransactionOutlivesOutage(
                                        defaults.transactionTimeout,
                                        defaults.maxOutage,
                                        defaults.checkpointInterval))
                .doesNotThrowAnyException();
    }

    @Test
    void mediaRemembersDecidedItemsAsLongAsARepeatCanArrive() {
        assertThatCode(
                        () ->
                                TimeBudgets.requireRetentionCoversReplay(
                                        Duration.ofHours(25), Duration.ofHours(24)))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                TimeBudgets.requireRetentionCoversReplay(
                                        Duration.ofHours(1), Duration.ofHours(24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--retention 1h")
                .hasMessageContaining("--max-event-age 24h");
    }
}
