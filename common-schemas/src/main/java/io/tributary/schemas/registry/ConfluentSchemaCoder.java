package io.tributary.schemas.registry;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.flink.formats.avro.SchemaCoder;

/**
 * Reads and writes the Confluent wire-format header for Flink's {@code
 * RegistryAvroSerializationSchema} and {@code RegistryAvroDeserializationSchema}. Writing registers
 * the schema under a subject (the TopicNameStrategy subject {@code <topic>-value} by convention);
 * reading resolves the id.
 */
public final class ConfluentSchemaCoder implements SchemaCoder {
    private final SchemaRegistryClient registry;
    private final String subject;
    // The serializer hands us the same Schema instance for every record; look its id up once.
    private final Map<Schema, Integer> registeredIds = new IdentityHashMap<>();

    public ConfluentSchemaCoder(SchemaRegistryClient registry, String subject) {
        this.registry = registry;
        this.subject = subject;
    }

    @Override
    public Schema readSchema(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte magic = data.readByte();
        if (magic != ConfluentWireFormat.MAGIC_BYTE) {
            throw new IOException("Not in the Confluent wire format: first byte is " + magic);
        }
        return registry.schemaById(data.readInt());
    }

    @Override
    public void writeSchema(Schema schema, OutputStream out) throws IOException {
        if (subject == null) {
            throw new IllegalStateException(
                    "This coder only reads; it was built without a subject");
        }
        Integer id = registeredIds.get(schema);
        if (id == null) {
            id = registry.register(subject, schema);
            registeredIds.put(schema, id);
        }
        out.write(ConfluentWireFormat.header(id));
    }

    /** The TopicNameStrategy subject for a topic's values. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /** Serializable recipe for a coder; the client is built on the task, once per provider. */
    public static final class Provider implements SchemaCoder.SchemaCoderProvider {
        private static final long serialVersionUID = 1L;

        private final RegistryConnection registry;
        private final String subject;
        private transient SchemaCoder coder;

        /**
         * @param subject the subject writes register under; {@code null} for a read-only coder
         */
        public Provider(RegistryConnection registry, String subject) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.subject = subject;
        }

        @Override
        public SchemaCoder get() {
            if (coder == null) {
                coder = new ConfluentSchemaCoder(new SchemaRegistryClient(registry), subject);
            }
            return coder;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Provider other
                    && registry.equals(other.registry)
                    && Objects.equals(subject, other.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(registry, subject);
        }
    }
}
