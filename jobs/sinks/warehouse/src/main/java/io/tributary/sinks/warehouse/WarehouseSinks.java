package io.tributary.sinks.warehouse;

import io.tributary.schemas.DeadLetter;
import org.apache.flink.api.connector.sink2.Sink;

/** Where the warehouse job writes: a sink per table, and one for what no table can take. */
public interface WarehouseSinks {
    <T> Sink<T> table(TableSpec<T> table);

    Sink<DeadLetter> deadLetters();
}
