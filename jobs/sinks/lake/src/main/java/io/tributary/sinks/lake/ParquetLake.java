package io.tributary.sinks.lake;

import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.parquet.avro.AvroParquetWriter;

/**
 * The lake on any Flink file system ({@code file://}, {@code s3://} with flink-s3-fs-hadoop):
 * {@code <lake>/events/event_date=.../event_hour=.../part-*.parquet} and the same under {@code
 * <lake>/dead_letters/}. FileSink with a bulk format rolls a file on every checkpoint and commits
 * it only when the checkpoint completes, so a reader never sees a file of a run that failed, and a
 * replay after a failure rewrites nothing twice.
 */
public final class ParquetLake implements LakeSinks {
    private static final OutputFileConfig PARQUET_FILES =
            OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".parquet").build();

    private final String lakePath;
    private final KafkaConnection kafka;
    private final String deadLetterTopic;
    private final RegistryConnection registry;
    private final String transactionalIdPrefix;
    private final Properties producer;

    public ParquetLake(
            String lakePath,
            KafkaConnection kafka,
            String deadLetterTopic,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        this.lakePath =
                lakePath.endsWith("/") ? lakePath.substring(0, lakePath.length() - 1) : lakePath;
        this.kafka = kafka;
        this.deadLetterTopic = deadLetterTopic;
        this.registry = registry;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.producer = producer;
    }

    public static ParquetLake of(LakeOptions options) {
        return new ParquetLake(
                options.lakePath,
                options.kafka.connection(),
                options.sinkDeadLetterTopic,
                options.kafka.registry(),
                options.transactionalIdPrefix,
                options.runtime.transactionalProducer());
    }

    @Override
    public Sink<GenericRecord> events() {
        return FileSink.forBulkFormat(
                        new Path(lakePath + "/events"),
                        AvroParquetWriters.forGenericRecord(LakeEvents.SCHEMA))
                .withBucketAssigner(new HourPartitions<>(LakeEvents::eventTime))
                .withOutputFileConfig(PARQUET_FILES)
                .build();
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return FileSink.forBulkFormat(
                        new Path(lakePath + "/dead_letters"), withLogicalTypes(DeadLetter.class))
                .withBucketAssigner(new HourPartitions<>(DeadLetter::getSourceTimestamp))
                .withOutputFileConfig(PARQUET_FILES)
                .build();
    }

    /**
     * Flink's {@code AvroParquetWriters.forSpecificRecord} writes with a data model that lacks the
     * record's logical-type conversions, and fails on a timestamp held as {@link
     * java.time.Instant}; the generated class's own model has them.
     */
    private static <T extends SpecificRecordBase> ParquetWriterFactory<T> withLogicalTypes(
            Class<T> type) {
        String schema = SpecificData.get().getSchema(type).toString();
        return new ParquetWriterFactory<>(
                out ->
                        AvroParquetWriter.<T>builder(out)
                                .withSchema(new Schema.Parser().parse(schema))
                                .withDataModel(SpecificData.getForClass(type))
                                .build());
    }

    @Override
    public Sink<DeadLetter> rejected() {
        return DeadLetterSink.exactlyOnce(
                kafka, deadLetterTopic, registry, transactionalIdPrefix, producer);
    }
}
