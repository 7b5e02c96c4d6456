package io.tributary.sinks.warehouse;

import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * The production sinks: flink-connector-jdbc into PostgreSQL, dead letters to Kafka exactly once.
 */
public final class PostgresSinks implements WarehouseSinks {
    private final JdbcConnectionOptions connection;
    private final JdbcExecutionOptions execution;
    private final KafkaConnection kafka;
    private final String deadLetterTopic;
    private final RegistryConnection registry;
    private final String transactionalIdPrefix;
    private final Properties producer;

    public PostgresSinks(
            DatabaseConnection database,
            int batchSize,
            Duration batchInterval,
            int maxRetries,
            KafkaConnection kafka,
            String deadLetterTopic,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(database.url())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(database.user())
                        .withConnectionCheckTimeoutSeconds(10);
        if (database.password() != null && !database.password().isEmpty()) {
            builder.withPassword(database.password());
        }
        this.connection = builder.build();
        this.execution =
                JdbcExecutionOptions.builder()
                        .withBatchSize(batchSize)
                        .withBatchIntervalMs(batchInterval.toMillis())
                        .withMaxRetries(maxRetries)
                        .build();
        this.kafka = kafka;
        this.deadLetterTopic = deadLetterTopic;
        this.registry = registry;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.producer = producer;
    }

    public static PostgresSinks of(WarehouseOptions options) {
        return new PostgresSinks(
                options.database(),
                options.batchSize,
                options.batchInterval,
                options.maxRetries,
                options.kafka.connection(),
                options.sinkDeadLetterTopic,
                options.kafka.registry(),
                options.transactionalIdPrefix,
                options.runtime.transactionalProducer());
    }

    @Override
    public <T> Sink<T> table(TableSpec<T> table) {
        return JdbcSink.<T>builder()
                .withQueryStatement(table.upsertSql(), table.binder())
                .withExecutionOptions(execution)
                .buildAtLeastOnce(connection);
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return DeadLetterSink.exactlyOnce(
                kafka, deadLetterTopic, registry, transactionalIdPrefix, producer);
    }
}
