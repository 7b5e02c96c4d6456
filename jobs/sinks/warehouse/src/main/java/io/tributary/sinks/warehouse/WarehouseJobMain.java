package io.tributary.sinks.warehouse;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.kafka.RawInput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink run tributary-sinks-warehouse-job.jar --bootstrap-servers ... --registry-url ...
 * --jdbc-url ...}
 *
 * <p>Migrates the schema (Flyway) on the client before the job is submitted, so the tables are
 * there before the first write. Nothing calls {@code System.exit}.
 */
public final class WarehouseJobMain {
    private WarehouseJobMain() {}

    public static void main(String[] args) throws Exception {
        WarehouseOptions options = JobCommandLine.parse(new WarehouseOptions(), args);
        if (options == null) {
            return;
        }
        DatabaseConnection database = options.database();
        database.verify();
        if (!options.skipMigrations) {
            WarehouseMigrations.migrate(database);
        }
        Preflight.check(options.runtime, options.kafka);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        buildOnKafka(env, options);
        env.execute("tributary sinks: warehouse");
    }

    public static void buildOnKafka(StreamExecutionEnvironment env, WarehouseOptions options) {
        WarehouseJob.build(
                env.fromSource(
                                RawInput.source(
                                        options.kafka.connection(),
                                        options.inputTopics(),
                                        options.groupId,
                                        options.runtime.bounded),
                                WatermarkStrategy.noWatermarks(),
                                "warehouse topics")
                        .uid("warehouse-source"),
                options.routes(),
                options.kafka.registry(),
                PostgresSinks.of(options));
    }
}
