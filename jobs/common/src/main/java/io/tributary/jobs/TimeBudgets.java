package io.tributary.jobs;

import io.tributary.jobs.kafka.BrokerSettings;
import io.tributary.jobs.kafka.KafkaConnection;
import java.time.Duration;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;

/**
 * Time settings that only work together, checked when a job starts so that a disagreement is a
 * clear error at submission instead of lost data later. Each check throws an {@link
 * IllegalArgumentException} naming the options involved and what would go wrong.
 */
public final class TimeBudgets {
    /** The broker setting a producer's {@code transaction.timeout.ms} may not exceed. */
    public static final String BROKER_TRANSACTION_MAX = "transaction.max.timeout.ms";

    /**
     * How far ahead of the broker's clock a record's timestamp may be (Kafka 3.6+; the default is
     * an hour); older brokers have only {@value #BROKER_TIMESTAMP_DIFFERENCE_MAX}.
     */
    public static final String BROKER_TIMESTAMP_AFTER_MAX = "log.message.timestamp.after.max.ms";

    public static final String BROKER_TIMESTAMP_DIFFERENCE_MAX =
            "log.message.timestamp.difference.max.ms";

    private TimeBudgets() {}

    /**
     * Deduplication must remember an id for as long as a copy of it can still be accepted: the
     * oldest accepted event plus the future skew. A shorter TTL lets a late copy through twice.
     */
    public static void requireDedupCoversAcceptedAge(
            Duration dedupTtl, Duration maxEventAge, Duration maxFutureSkew) {
        Duration needed = maxEventAge.plus(maxFutureSkew);
        if (dedupTtl.compareTo(needed) < 0) {
            throw new IllegalArgumentException(
                    "--dedup-ttl "
                            + show(dedupTtl)
                            + " is shorter than --max-event-age "
                            + show(maxEventAge)
                            + " plus --max-future-skew "
                            + show(maxFutureSkew)
                            + ": a copy of an event accepted that late would pass deduplication after its id was forgotten."
                            + " Raise --dedup-ttl to at least "
                            + show(needed)
                            + " or lower --max-event-age.");
        }
    }

    /**
     * A job that remembers decided items to drop late repeats (media) must remember them for as
     * long as a repeat can still arrive, or it starts a finished item again.
     */
    public static void requireRetentionCoversReplay(Duration retention, Duration maxEventAge) {
        if (retention.compareTo(maxEventAge) < 0) {
            throw new IllegalArgumentException(
                    "--retention "
                            + show(retention)
                            + " is shorter than --max-event-age "
                            + show(maxEventAge)
                            + ": a repeat of a decided item arriving that late would find it forgotten and start it again."
                            + " Raise --retention to at least "
                            + show(maxEventAge)
                            + ".");
        }
    }

    /**
     * A producer asking for a longer transaction timeout than the broker allows is refused when the
     * job starts its first transaction; a shorter one than the job must survive loses the
     * transactions open during a longer outage.
     */
    public static void requireTransactionTimeoutWithinBroker(
            Duration transactionTimeout, Duration brokerMax) {
        if (transactionTimeout.compareTo(brokerMax) > 0) {
            throw new IllegalArgumentException(
                    "--transaction-timeout "
                            + show(transactionTimeout)
                            + " is longer than the broker's "
                            + BROKER_TRANSACTION_MAX
                            + " ("
                            + show(brokerMax)
                            + "):"
                            + " the broker would refuse every transaction. Lower --transaction-timeout or raise the broker's limit.");
        }
    }

    /**
     * A transaction is opened a checkpoint before it is committed; if the job is down meanwhile, it
     * is committed on recovery only if the broker has not aborted it by then. A transaction timeout
     * shorter than an outage plus a checkpoint loses that checkpoint's output for good: the
     * connector logs the abort and carries on.
     */
    public static void requireTransactionOutlivesOutage(
            Duration transactionTimeout, Duration maxOutage, Duration checkpointInterval) {
        Duration needed = maxOutage.plus(checkpointInterval);
        if (transactionTimeout.compareTo(needed) < 0) {
            throw new IllegalArgumentException(
                    "--transaction-timeout "
                            + show(transactionTimeout)
                            + " is shorter than --max-outage "
                            + show(maxOutage)
                            + " plus --checkpoint-interval "
                            + show(checkpointInterval)
                            + ": after an outage that long the broker would abort the transactions the job commits on recovery,"
                            + " and their output would be lost. Raise --transaction-timeout to at least "
                            + show(needed)
                            + " (within the broker's "
                            + BROKER_TRANSACTION_MAX
                            + ") or lower --max-outage.");
        }
    }

    /**
     * What every job's {@code main} checks before it builds the job: its transactions outlive the
     * outage it claims to survive, and fit the broker's limit.
     */
    public static void requireTransactionBudget(RuntimeOptions runtime, KafkaOptions kafka)
            throws Exception {
        requireTransactionOutlivesOutage(
                runtime.transactionTimeout, runtime.maxOutage, runtime.checkpointInterval);
        requireTransactionTimeoutWithinBroker(
                runtime.transactionTimeout, brokerTransactionMaxTimeout(kafka.connection()));
    }

    /**
     * A job stamps what it writes with event time, which it lets run at most {@code maxFutureSkew}
     * ahead of its clock; a broker that accepts less refuses those writes, and an exactly-once sink
     * then fails the job over and over on the same record.
     */
    public static void requireFutureSkewWithinBroker(
            Duration maxFutureSkew, Duration brokerAfterMax) {
        if (maxFutureSkew.compareTo(brokerAfterMax) >= 0) {
            throw new IllegalArgumentException(
                    "--max-future-skew "
                            + show(maxFutureSkew)
                            + " is not shorter than the broker's "
                            + BROKER_TIMESTAMP_AFTER_MAX
                            + " ("
                            + show(brokerAfterMax)
                            + "): an event stamped that far ahead would be accepted here and its canonical write refused"
                            + " by the broker. Lower --max-future-skew or raise the broker's limit.");
        }
    }

    /**
     * How far ahead of its clock the broker accepts record timestamps: {@value
     * #BROKER_TIMESTAMP_AFTER_MAX}, or {@value #BROKER_TIMESTAMP_DIFFERENCE_MAX} on a broker older
     * than Kafka 3.6.
     */
    public static Duration brokerTimestampAfterMax(KafkaConnection kafka) throws Exception {
        Config config = BrokerSettings.read(kafka);
        ConfigEntry entry = config.get(BROKER_TIMESTAMP_AFTER_MAX);
        if (entry == null || entry.value() == null) {
            entry = config.get(BROKER_TIMESTAMP_DIFFERENCE_MAX);
        }
        // A broker that reports neither takes any timestamp.
        return entry == null || entry.value() == null
                ? Duration.ofMillis(Long.MAX_VALUE)
                : Duration.ofMillis(Long.parseLong(entry.value()));
    }

    /** Asks a broker of the cluster for its {@value #BROKER_TRANSACTION_MAX}. */
    public static Duration brokerTransactionMaxTimeout(KafkaConnection kafka) throws Exception {
        ConfigEntry entry = BrokerSettings.read(kafka).get(BROKER_TRANSACTION_MAX);
        return Duration.ofMillis(Long.parseLong(entry.value()));
    }

    private static String show(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
