package io.tributary.jobs;

import io.tributary.schemas.registry.SchemaRegistryClient;

/**
 * What every job's {@code main} checks before it builds the job, so that a misconfiguration is one
 * clear error at submission instead of a job restarting on client exceptions: the schema registry
 * answers with the job's credentials and TLS settings, and the Kafka cluster does too (its settings
 * are read for {@link TimeBudgets#requireTransactionBudget}), and the job's transactions fit the
 * broker's limit.
 */
public final class Preflight {
    private Preflight() {}

    public static void check(RuntimeOptions runtime, KafkaOptions kafka) throws Exception {
        new SchemaRegistryClient(kafka.registry()).verifyAccess();
        TimeBudgets.requireTransactionBudget(runtime, kafka);
    }
}
