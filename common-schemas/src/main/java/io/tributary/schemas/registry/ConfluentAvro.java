package io.tributary.schemas.registry;

import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;

/** Flink (de)serialization schemas for SpecificRecords in the Confluent wire format. */
public final class ConfluentAvro {
    private ConfluentAvro() {}

    /**
     * Writes {@code type} records framed for {@code topic}, registering under {@code
     * <topic>-value}.
     */
    public static <T extends SpecificRecord> RegistryAvroSerializationSchema<T> serializer(
            Class<T> type, String topic, RegistryConnection registry) {
        return RegistryAvroSerializationSchema.forSpecific(
                type,
                new ConfluentSchemaCoder.Provider(
                        registry, ConfluentSchemaCoder.valueSubject(topic)));
    }

    /** As above, for a registry that needs nothing but its URL. */
    public static <T extends SpecificRecord> RegistryAvroSerializationSchema<T> serializer(
            Class<T> type, String topic, String registryUrl) {
        return serializer(type, topic, RegistryConnection.of(registryUrl));
    }

    /** Reads Confluent-framed records written with any registered version, as {@code type}. */
    public static <T extends SpecificRecord> RegistryAvroDeserializationSchema<T> deserializer(
            Class<T> type, RegistryConnection registry) {
        return new WithCustomCoders<>(type, new ConfluentSchemaCoder.Provider(registry, null));
    }

    /** As above, for a registry that needs nothing but its URL. */
    public static <T extends SpecificRecord> RegistryAvroDeserializationSchema<T> deserializer(
            Class<T> type, String registryUrl) {
        return deserializer(type, RegistryConnection.of(registryUrl));
    }

    /**
     * Decodes nested records with the code Avro generates for them ({@code customDecode}) instead
     * of its generic, reflective field-by-field path: reading the canonical envelope's payload was
     * most of a source task's time in the aggregations job. Same bytes, same records; records whose
     * schema has logical types have no generated coder and keep the generic path.
     *
     * <p>The switch belongs to the record class's {@code SpecificData}, which Flink's Avro readers
     * and serializers share, so it is set where the reader opens, in the task's JVM.
     */
    static final class WithCustomCoders<T extends SpecificRecord>
            extends RegistryAvroDeserializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final Class<T> type;

        WithCustomCoders(Class<T> type, ConfluentSchemaCoder.Provider coder) {
            super(type, null, coder);
            this.type = type;
        }

        @Override
        public void open(InitializationContext context) throws Exception {
            super.open(context);
            SpecificData.getForClass(type).setCustomCoders(true);
        }
    }
}
