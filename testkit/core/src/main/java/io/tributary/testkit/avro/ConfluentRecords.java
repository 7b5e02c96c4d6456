package io.tributary.testkit.avro;

import io.tributary.schemas.registry.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro records framed in the Confluent wire format under any schema id, without a registry: for
 * tests that need bytes a serializer would refuse to make (an unknown id, a lying body).
 */
public final class ConfluentRecords {
    private ConfluentRecords() {}

    public static byte[] framed(int schemaId, SpecificRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ConfluentWireFormat.header(schemaId));
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
