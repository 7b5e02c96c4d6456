package io.tributary.sinks.warehouse;

import io.tributary.schemas.Envelope;
import java.io.Serializable;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.util.function.SerializableFunction;

/** Which topics feed a table, the Avro type on those topics, and what of a record becomes a row. */
public record Route<A extends SpecificRecord, T>(
        List<String> topics,
        Class<A> wireType,
        SerializableFunction<A, T> toRow,
        TableSpec<T> table)
        implements Serializable {

    /** Topics of records stored as they are. */
    public static <A extends SpecificRecord> Route<A, A> direct(
            List<String> topics, TableSpec<A> table) {
        return new Route<>(topics, table.type(), record -> record, table);
    }

    public static Route<Envelope, MediaJobRow> mediaJobs(List<String> topics) {
        return new Route<>(topics, Envelope.class, MediaJobRow::of, Tables.MEDIA_JOBS);
    }
}
