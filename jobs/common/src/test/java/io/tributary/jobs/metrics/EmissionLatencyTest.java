package io.tributary.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jobs.kafka.MeasuredRecords;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EmissionLatencyTest {
    private final Map<String, Histogram> registered = new HashMap<>();

    /** Keeps what is registered, by its name under the group it was added to. */
    private final MetricGroup operator =
            new UnregisteredMetricsGroup() {
                @Override
                public MetricGroup addGroup(String name) {
                    return new UnregisteredMetricsGroup() {
                        @Override
                        public <H extends Histogram> H histogram(String metric, H histogram) {
                            registered.put(name + "." + metric, histogram);
                            return histogram;
                        }
                    };
                }
            };

    @Test
    void eachEmittedRecordCountsItsAgeByEventTimeAndIngestTime() {
        EmissionLatency latency = EmissionLatency.register(operator, true, () -> 100_000);

        latency.emitted(99_000, 99_700);
        latency.emitted(95_000, 99_900);

        Histogram eventTime = registered.get("latency.eventTimeToEmissionMs");
        Histogram ingestTime = registered.get("latency.ingestTimeToEmissionMs");
        assertThat(eventTime.getCount()).isEqualTo(2);
        assertThat(eventTime.getStatistics().getMax()).isEqualTo(5_000);
        assertThat(eventTime.getStatistics().getMin()).isEqualTo(1_000);
        assertThat(ingestTime.getStatistics().getMax()).isEqualTo(300);
    }

    @Test
    void timestampsAheadOfTheClockOrUnknownSayNothingAboutFreshness() {
        EmissionLatency latency = EmissionLatency.register(operator, true, () -> 100_000);

        latency.emitted(Long.MAX_VALUE, EmissionLatency.UNKNOWN);
        latency.emitted(100_500, 100_100);

        assertThat(registered.get("latency.eventTimeToEmissionMs").getCount()).isZero();
        assertThat(registered.get("latency.ingestTimeToEmissionMs").getCount()).isZero();
    }

    @Test
    void withoutIngestTimesOnlyEventTimeIsRegistered() {
        EmissionLatency.register(operator, false, () -> 0).emitted(0);

        assertThat(registered).containsOnlyKeys("latency.eventTimeToEmissionMs");
    }

    @Test
    void aMeasuredSinkCountsTheTimestampEachRecordIsWrittenWith() throws Exception {
        long written = System.currentTimeMillis() - 60_000;
        KafkaRecordSerializationSchema<String> plain =
                (element, context, timestamp) ->
                        new ProducerRecord<>("t", null, written, null, element.getBytes());
        MeasuredRecords<String> measured = new MeasuredRecords<>(plain);
        measured.open(initializationContext(), null);

        ProducerRecord<byte[], byte[]> record = measured.serialize("x", null, null);

        assertThat(record.timestamp()).isEqualTo(written);
        Histogram eventTime = registered.get("latency.eventTimeToEmissionMs");
        assertThat(eventTime.getCount()).isEqualTo(1);
        assertThat(eventTime.getStatistics().getMin()).isGreaterThanOrEqualTo(60_000);
    }

    private SerializationSchema.InitializationContext initializationContext() {
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return operator;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
            }
        };
    }
}
