package io.tributary.jobs;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where a job finds Kafka and the schema registry, and how it reads event time from the topics: the
 * same for every job of the suite, as a picocli mixin: {@code @Mixin KafkaOptions kafka;}.
 */
public class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers.")
    public String bootstrapServers;

    @Option(
            names = "--registry-url",
            required = true,
            description = "Confluent-compatible schema registry URL.")
    public String registryUrl;

    @Option(
            names = "--max-out-of-orderness",
            defaultValue = "5s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Watermark delay behind the largest event time seen (default: ${DEFAULT-VALUE}).")
    public Duration maxOutOfOrderness;

    @Option(
            names = "--idleness",
            defaultValue = "30s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A source split silent this long stops holding back watermarks (default: ${DEFAULT-VALUE}).")
    public Duration idleness;
}
