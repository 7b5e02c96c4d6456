package io.tributary.sinks.warehouse;

import io.tributary.jobs.deadletters.DecodeRecords;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The warm tier: alerts, aggregates, media jobs and dead letters into PostgreSQL tables.
 *
 * <pre>
 *  raw records ─┬─ topic of table 1 ─▶ decode + check ─▶ JDBC upsert (table 1)
 *  (bytes)      ├─ ...
 *               └─ topic of table n ─▶ decode + check ─▶ JDBC upsert (table n)
 *                                            └── dead letters (any table) ─▶ dead-letter topic
 * </pre>
 *
 * <p>The JDBC sinks write at least once and flush on every checkpoint; each table's upsert is
 * idempotent (see {@link TableSpec}), which makes the whole exactly-once in effect without XA.
 */
public final class WarehouseJob {
    public static final String JOB = "sinks-warehouse";

    private WarehouseJob() {}

    public static void build(
            DataStream<RawRecord> input,
            List<Route<?, ?>> routes,
            RegistryConnection registry,
            WarehouseSinks sinks) {
        DataStream<DeadLetter> deadLetters = null;
        for (Route<?, ?> route : routes) {
            DataStream<DeadLetter> rejected = store(input, route, registry, sinks);
            deadLetters = deadLetters == null ? rejected : deadLetters.union(rejected);
        }
        if (deadLetters != null) {
            deadLetters
                    .sinkTo(sinks.deadLetters())
                    .uid("warehouse-dead-letter-sink")
                    .name("dead-letter topic");
        }
    }

    private static <A extends SpecificRecord, T> DataStream<DeadLetter> store(
            DataStream<RawRecord> input,
            Route<A, T> route,
            RegistryConnection registry,
            WarehouseSinks sinks) {
        String table = route.table().table();
        Set<String> topics = Set.copyOf(route.topics());
        SingleOutputStreamOperator<T> rows =
                input.filter(raw -> topics.contains(raw.topic))
                        .uid("warehouse-" + table + "-topics")
                        .name(table + ": its topics")
                        .process(
                                DecodeRecords.converting(
                                        route.wireType(),
                                        registry,
                                        route.toRow(),
                                        route.table().check(),
                                        JOB))
                        .returns(typeOf(route.table().type()))
                        .uid("warehouse-" + table + "-decode")
                        .name(table + ": decode and check");
        rows.sinkTo(sinks.table(route.table()))
                .uid("warehouse-" + table + "-sink")
                .name(table + ": upsert");
        return rows.getSideOutput(DecodeRecords.DEAD_LETTERS);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> TypeInformation<T> typeOf(Class<T> type) {
        if (SpecificRecord.class.isAssignableFrom(type)) {
            return (TypeInformation<T>) new AvroTypeInfo(type);
        }
        return TypeInformation.of(type);
    }
}
