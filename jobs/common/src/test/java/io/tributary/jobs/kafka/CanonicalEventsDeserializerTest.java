package io.tributary.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.RegistryConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class CanonicalEventsDeserializerTest {
    private static final byte[] GARBAGE = "not avro".getBytes(StandardCharsets.UTF_8);

    /** No registry is asked: records without the wire-format header are refused before that. */
    private final CanonicalEventsDeserializer deserializer =
            new CanonicalEventsDeserializer(
                    RegistryConnection.of("http://127.0.0.1:9/unused"),
                    "test-job",
                    Duration.ofMinutes(5));

    @Test
    void aRecordThatIsNotAnEventIsADeadLetterWithItsBytesAndCoordinates() throws Exception {
        deserializer.open(null);
        List<Either<DeadLetter, Envelope>> out = new ArrayList<>();
        deserializer.deserialize(
                new ConsumerRecord<>(
                        Topics.EVENTS_IOT, 1, 42L, "k".getBytes(StandardCharsets.UTF_8), GARBAGE),
                collector(out::add));

        assertThat(out).hasSize(1);
        DeadLetter letter = out.get(0).left();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO);
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.EVENTS_IOT);
        assertThat(letter.getSourceOffset()).isEqualTo(42L);
        assertThat(letter.getJob()).isEqualTo("test-job");
        assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalValue()).toString())
                .isEqualTo("not avro");
    }

    /** The guard is for the record, not for the operators chained after the source. */
    @Test
    void aFailureDownstreamOfTheSourceIsNotTakenForTheRecords() throws Exception {
        deserializer.open(null);
        IllegalStateException downstream =
                new IllegalStateException("an operator after the source failed");

        assertThatThrownBy(
                        () ->
                                deserializer.deserialize(
                                        new ConsumerRecord<>(
                                                Topics.EVENTS_IOT, 0, 1L, null, GARBAGE),
                                        collector(
                                                record -> {
                                                    throw downstream;
                                                })))
                .isSameAs(downstream);
    }

    private static <T> Collector<T> collector(java.util.function.Consumer<T> sink) {
        return new Collector<>() {
            @Override
            public void collect(T record) {
                sink.accept(record);
            }

            @Override
            public void close() {}
        };
    }
}
