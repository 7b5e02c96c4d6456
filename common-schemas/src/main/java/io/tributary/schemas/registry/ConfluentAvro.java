package io.tributary.schemas.registry;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;

/** Flink (de)serialization schemas for SpecificRecords in the Confluent wire format. */
public final class ConfluentAvro {
    private ConfluentAvro() {}

    /** Writes {@code type} records framed for {@code topic}, registering under {@code <topic>-value}. */
    public static <T extends SpecificRecord> RegistryAvroSerializationSchema<T> serializer(
            Class<T> type, String topic, String registryUrl) {
        return RegistryAvroSerializationSchema.forSpecific(
                type,
                new ConfluentSchemaCoder.Provider(
                        registryUrl, ConfluentSchemaCoder.valueSubject(topic)));
    }

    /** Reads Confluent-framed records written with any registered version, as {@code type}. */
    public static <T extends SpecificRecord> RegistryAvroDeserializationSchema<T> deserializer(
            Class<T> type, String registryUrl) {
        return new RegistryAvroDeserializationSchema<>(
                type, null, new ConfluentSchemaCoder.Provider(registryUrl, null));
    }
}
