package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tributary.ingest.HostileCorpus.Case;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.kafka.EnvelopeEncoder;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.ingest.validate.RawEventDecoder;
import io.tributary.ingest.validate.RecordOrigin;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.SchemaRegistryClient.UnsupportedSchemaException;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case of the hostile corpus through the decoder alone: the reason it must be given. */
class HostileCorpusTest {
    private static final HostileCorpus.SchemaIds IDS = new HostileCorpus.SchemaIds(7, 8, 987_654);
    private static final long NOW = System.currentTimeMillis();
    private static final List<Case> CORPUS = HostileCorpus.build(NOW, IDS);

    private final RawEventDecoder decoder =
            new RawEventDecoder(
                    IngestLimits.DEFAULTS,
                    id -> {
                        if (id == IDS.envelope()) {
                            return Envelope.getClassSchema();
                        }
                        if (id == IDS.jsonSchema()) {
                            throw new UnsupportedSchemaException(id, "is a JSON schema, not Avro");
                        }
                        throw new UnknownSchemaIdException(id);
                    });

    @Test
    void theCorpusCoversEveryRawTopicInBothEncodings() {
        long bad = CORPUS.stream().filter(c -> !c.good()).count();
        assertThat(bad).isGreaterThanOrEqualTo(150);
        assertThat(CORPUS.stream().map(Case::topic).distinct())
                .containsExactlyInAnyOrder(
                        Topics.RAW_PLAYER, Topics.RAW_MEDIA, Topics.RAW_COMMERCE, Topics.RAW_IOT);
        assertThat(CORPUS.stream().filter(c -> c.name().contains("avro") && !c.good()).count())
                .isGreaterThanOrEqualTo(40);
    }

    @TestFactory
    Stream<DynamicTest> eachCaseGetsItsReason() {
        return CORPUS.stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        c.name(),
                                        () -> {
                                            RecordOrigin origin =
                                                    RecordOrigin.read(
                                                            c.topic(),
                                                            0,
                                                            0,
                                                            c.timestamp() == null
                                                                    ? NOW
                                                                    : c.timestamp(),
                                                            NOW);
                                            try {
                                                Envelope envelope =
                                                        decoder.decode(c.key(), c.value(), origin);
                                                assertThat(c.expectedReason())
                                                        .as("accepted")
                                                        .isIn(null, "EVENT_ID_CONFLICT");
                                                if (c.good()) {
                                                    assertThat(envelope.getEventId())
                                                            .isEqualTo(c.eventId());
                                                }
                                            } catch (Rejection rejection) {
                                                if (c.good()
                                                        || c.expectedReason()
                                                                .equals("EVENT_ID_CONFLICT")) {
                                                    fail(
                                                            "refused: "
                                                                    + rejection.reason()
                                                                    + " "
                                                                    + rejection.getMessage());
                                                }
                                                assertThat(rejection.reason().name())
                                                        .as(rejection.getMessage())
                                                        .isEqualTo(c.expectedReason());
                                            }
                                        }));
    }

    @Test
    void aReusedIdDecodesToTheSameIdWithAnotherFingerprint() throws Rejection {
        EnvelopeEncoder encoder = new EnvelopeEncoder(CanonicalTopics.DEFAULTS);
        Map<String, CanonicalRecord> byName = new HashMap<>();
        for (Case c : CORPUS) {
            if (c.name().startsWith("raw.iot: id reuse")) {
                byName.put(
                        c.name(),
                        encoder.encode(
                                decoder.decode(
                                        c.key(),
                                        c.value(),
                                        RecordOrigin.read(c.topic(), 0, 0, NOW, NOW))));
            }
        }
        CanonicalRecord first = byName.get("raw.iot: id reuse: first");
        CanonicalRecord reused = byName.get("raw.iot: id reuse: different body");
        assertThat(reused.dedupKey()).isEqualTo(first.dedupKey());
        assertThat(reused.fingerprint).isNotEqualTo(first.fingerprint);
    }
}
