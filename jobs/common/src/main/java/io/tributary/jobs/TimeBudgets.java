package io.tributary.jobs;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Time settings that only work together, checked when a job starts so that a disagreement is a
 * clear error at submission instead of lost data later. Each check throws an {@link
 * IllegalArgumentException} naming the options involved and what would go wrong.
 */
public final class TimeBudgets {
    /** The broker setting a producer's {@code transaction.timeout.ms} may not exceed. */
    public static final String BROKER_TRANSACTION_MAX = "transaction.max.timeout.ms";

    private TimeBudgets() {}

    /**
     * Deduplication must remember an id for as long as a copy of it can still be accepted: the
     * oldest accepted event plus the future skew. A shorter TTL lets a late copy through twice.
     */
    public static void requireDedupCoversAcceptedAge(Duration dedupTtl, Duration maxEventAge, Duration maxFutureSkew) {
        Duration needed = maxEventAge.plus(maxFutureSkew);
        if (dedupTtl.compareTo(needed) < 0) {
            throw new IllegalArgumentException("--dedup-ttl " + show(dedupTtl) + " is shorter than --max-event-age "
                    + show(maxEventAge) + " plus --max-future-skew " + show(maxFutureSkew)
                    + ": a copy of an event accepted that late would pass deduplication after its id was forgotten."
                    + " Raise --dedup-ttl to at least " + show(needed) + " or lower --max-event-age.");
        }
    }

    /**
     * A producer asking for a longer transaction timeout than the broker allows is refused when the
     * job starts its first transaction; a shorter one than the job must survive loses the
     * transactions open during a longer outage.
     */
    public static void requireTransactionTimeoutWithinBroker(Duration transactionTimeout, Duration brokerMax) {
        if (transactionTimeout.compareTo(brokerMax) > 0) {
            throw new IllegalArgumentException("--transaction-timeout " + show(transactionTimeout)
                    + " is longer than the broker's " + BROKER_TRANSACTION_MAX + " (" + show(brokerMax) + "):"
                    + " the broker would refuse every transaction. Lower --transaction-timeout or raise the broker's limit.");
        }
    }

    /** What every job's {@code main} checks before it builds the job: its transactions fit the broker's limit. */
    public static void requireTransactionTimeoutWithinBroker(RuntimeOptions runtime, KafkaOptions kafka) throws Exception {
        requireTransactionTimeoutWithinBroker(runtime.transactionTimeout, brokerTransactionMaxTimeout(kafka.bootstrapServers, new Properties()));
    }

    /** Asks a broker of the cluster for its {@value #BROKER_TRANSACTION_MAX}. */
    public static Duration brokerTransactionMaxTimeout(String bootstrapServers, Properties clientSettings) throws Exception {
        Properties admin = new Properties();
        admin.putAll(clientSettings);
        admin.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        try (AdminClient client = AdminClient.create(admin)) {
            Collection<Node> nodes = client.describeCluster().nodes().get(60, TimeUnit.SECONDS);
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            Map<ConfigResource, Config> configs = client.describeConfigs(List.of(broker)).all().get(60, TimeUnit.SECONDS);
            ConfigEntry entry = configs.get(broker).get(BROKER_TRANSACTION_MAX);
            return Duration.ofMillis(Long.parseLong(entry.value()));
        }
    }

    private static String show(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
