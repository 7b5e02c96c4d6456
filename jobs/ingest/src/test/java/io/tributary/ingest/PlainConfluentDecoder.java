package io.tributary.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Confluent-framed Avro knowing nothing of Tributary: magic byte, schema id, a GET on the
 * registry's REST API for the writer schema, and a generic Avro reader. This is what any
 * third-party consumer of the canonical topics does.
 */
final class PlainConfluentDecoder {
    private final String registryUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Integer, Schema> schemas = new HashMap<>();

    PlainConfluentDecoder(String registryUrl) {
        this.registryUrl = registryUrl;
    }

    GenericRecord decode(byte[] value) throws Exception {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        if (buffer.get() != 0) {
            throw new IllegalArgumentException("not Confluent wire format");
        }
        int id = buffer.getInt();
        Schema schema = schemas.get(id);
        if (schema == null) {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("registry answered " + response.statusCode());
            }
            String text = new ObjectMapper().readTree(response.body()).get("schema").asText();
            schema = new Schema.Parser().parse(text);
            schemas.put(id, schema);
        }
        return new GenericDatumReader<GenericRecord>(schema)
                .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
    }

    /**
     * Every dead letter on a topic, read as an exactly-once consumer, by the position of the record
     * it stands for ({@code topic/partition/offset}); fails on a second dead letter for one record.
     */
    Map<String, GenericRecord> deadLettersByPosition(String bootstrapServers, String topic)
            throws Exception {
        Map<String, GenericRecord> byPosition = new HashMap<>();
        for (var record :
                io.tributary.testkit.kafka.TopicReader.readCommitted(
                        bootstrapServers,
                        java.util.List.of(topic),
                        java.time.Duration.ofSeconds(60))) {
            GenericRecord letter = decode(record.value());
            String position =
                    letter.get("sourceTopic")
                            + "/"
                            + letter.get("sourcePartition")
                            + "/"
                            + letter.get("sourceOffset");
            if (byPosition.put(position, letter) != null) {
                throw new AssertionError("two dead letters for the record at " + position);
            }
        }
        return byPosition;
    }

    /** The bytes of an Avro {@code bytes} field as a generic reader returns it, or null. */
    static byte[] bytes(Object avroBytes) {
        if (avroBytes == null) {
            return null;
        }
        ByteBuffer buffer = ((ByteBuffer) avroBytes).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
