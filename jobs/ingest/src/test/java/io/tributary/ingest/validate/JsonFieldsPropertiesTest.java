package io.tributary.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.validate.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link JsonFields} reads an event's top level without building a Jackson tree; it must decide
 * exactly as the tree did: the same records accepted, a field named twice refused, and every field
 * holding the node {@code readTree} would have built.
 */
class JsonFieldsPropertiesTest {
    private final ObjectMapper json = RawEventDecoder.jsonMapper(IngestLimits.DEFAULTS);

    @Property(tries = 2_000)
    void readsObjectsAsTheTreeDoes(@ForAll("objects") String text) throws Exception {
        assertSameAsTree(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2_000)
    void refusesWhatTheTreeRefuses(@ForAll("objects") String text, @ForAll("cuts") int cut)
            throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] damaged = new byte[Math.min(cut, bytes.length)];
        System.arraycopy(bytes, 0, damaged, 0, damaged.length);
        assertSameAsTree(damaged);
    }

    @Property(tries = 500)
    void anythingThatIsNotAnObjectIsNone(@ForAll("values") String value) throws Exception {
        if (value.startsWith("{")) {
            return;
        }
        assertSameAsTree(value.getBytes(StandardCharsets.UTF_8));
    }

    private void assertSameAsTree(byte[] bytes) throws Exception {
        Outcome tree = viaTree(bytes);
        Outcome fields = viaFields(bytes);
        assertThat(fields.kind).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(tree.kind);
        if (tree.kind == Kind.OBJECT) {
            assertThat(fields.fields.size()).isEqualTo(tree.tree.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                assertThat(fields.fields.get(field.getKey()))
                        .as(field.getKey())
                        .isEqualTo(field.getValue());
            }
        }
    }

    enum Kind {
        OBJECT,
        NOT_AN_OBJECT,
        REFUSED
    }

    record Outcome(Kind kind, JsonNode tree, JsonFields fields) {}

    private Outcome viaTree(byte[] bytes) {
        try (JsonParser parser = json.createParser(bytes)) {
            JsonNode node = json.readTree(parser);
            if (parser.nextToken() != null) {
                return new Outcome(Kind.REFUSED, null, null);
            }
            return node != null && node.isObject()
                    ? new Outcome(Kind.OBJECT, node, null)
                    : new Outcome(Kind.NOT_AN_OBJECT, null, null);
        } catch (IOException e) {
            return new Outcome(Kind.REFUSED, null, null);
        }
    }

    private Outcome viaFields(byte[] bytes) {
        try (JsonParser parser = json.createParser(bytes)) {
            JsonFields fields = JsonFields.read(parser, json, 1 << 20);
            if (parser.nextToken() != null) {
                return new Outcome(Kind.REFUSED, null, null);
            }
            return fields != null
                    ? new Outcome(Kind.OBJECT, null, fields)
                    : new Outcome(Kind.NOT_AN_OBJECT, null, null);
        } catch (IOException | Rejection e) {
            return new Outcome(Kind.REFUSED, null, null);
        }
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 400);
    }

    @Provide
    Arbitrary<String> objects() {
        Arbitrary<String> field =
                Combinators.combine(names(), values()).as((n, v) -> quoted(n) + ":" + v);
        // Up to 40 fields, past the point where names are found through a map.
        return field.list().ofMaxSize(40).map(fields -> "{" + String.join(",", fields) + "}");
    }

    private static Arbitrary<String> names() {
        // A small alphabet, so that names repeat; sometimes the names events use.
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abé\u0000\"\\").ofMinLength(0).ofMaxLength(3),
                Arbitraries.of("eventId", "type", "eventTime", "amount", "value", "sessionId"));
    }

    @Provide
    Arbitrary<String> values() {
        List<Arbitrary<String>> scalars = new ArrayList<>();
        scalars.add(Arbitraries.strings().ofMaxLength(12).map(JsonFieldsPropertiesTest::quoted));
        scalars.add(Arbitraries.integers().map(String::valueOf));
        scalars.add(Arbitraries.longs().map(String::valueOf));
        scalars.add(
                Arbitraries.bigIntegers()
                        .between(
                                java.math.BigInteger.TEN.pow(30).negate(),
                                java.math.BigInteger.TEN.pow(30))
                        .map(String::valueOf));
        scalars.add(Arbitraries.doubles().map(String::valueOf));
        scalars.add(
                Arbitraries.of(
                        "1e400",
                        "-1e400",
                        "1e-400",
                        "0.1",
                        "1E2",
                        "-0",
                        "0.0",
                        "01",
                        "1.",
                        ".5",
                        "NaN",
                        "true",
                        "false",
                        "null",
                        "tru",
                        "\"\\ud800\"",
                        "\"\\u00e9\""));
        Arbitrary<String> scalar = Arbitraries.oneOf(scalars);
        Arbitrary<String> nested =
                Arbitraries.oneOf(
                        scalar.list().ofMaxSize(3).map(v -> "[" + String.join(",", v) + "]"),
                        Combinators.combine(names(), scalar)
                                .as((n, v) -> quoted(n) + ":" + v)
                                .list()
                                .ofMaxSize(3)
                                .map(v -> "{" + String.join(",", v) + "}"));
        return Arbitraries.frequencyOf(Tuple.of(8, scalar), Tuple.of(1, nested));
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
