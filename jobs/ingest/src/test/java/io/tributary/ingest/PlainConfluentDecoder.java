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
 * Decodes Confluent-framed Avro knowing nothing of Tributary: magic byte, schema id, a GET on
 * the registry's REST API for the writer schema, and a generic Avro reader. This is what any
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
                            HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id)).build(),
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
}
