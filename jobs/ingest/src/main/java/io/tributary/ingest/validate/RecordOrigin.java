package io.tributary.ingest.validate;

import io.tributary.schemas.Origin;

/** Where a raw record was read and when it reached Kafka. */
public record RecordOrigin(String topic, int partition, long offset, long timestamp) {
    Origin toAvro() {
        return new Origin(topic, partition, offset);
    }
}
