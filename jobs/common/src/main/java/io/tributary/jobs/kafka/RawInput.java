package io.tributary.jobs.kafka;

import java.util.List;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Topics read as raw bytes (sinks, the media job) (decoding happens in {@link
 * io.tributary.jobs.deadletters.DecodeRecords}, so that what cannot be decoded is kept), committed
 * data only, from the group's committed offsets.
 */
public final class RawInput {
    private RawInput() {}

    public static KafkaSource<RawRecord> source(
            KafkaConnection kafka, List<String> topics, String groupId, boolean bounded) {
        var builder =
                KafkaSource.<RawRecord>builder()
                        .setProperties(kafka.clientProperties())
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new RawRecordDeserializer())
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }
}
