package io.tributary.sinks.lake;

import io.tributary.schemas.DeadLetter;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the lake job writes: canonical events and dead letters as files, and what it cannot read to
 * Kafka.
 */
public interface LakeSinks {
    Sink<GenericRecord> events();

    Sink<DeadLetter> deadLetters();

    /** Records of the lake's own input that it cannot decode. */
    Sink<DeadLetter> rejected();
}
