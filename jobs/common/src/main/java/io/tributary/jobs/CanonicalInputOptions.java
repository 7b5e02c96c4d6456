package io.tributary.jobs;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options of the jobs that read the canonical topics through {@link
 * io.tributary.jobs.kafka.CanonicalInput}, as a picocli mixin: {@code @Mixin CanonicalInputOptions
 * canonical;}.
 */
public class CanonicalInputOptions {

    @Option(
            names = "--max-future-skew",
            defaultValue = "5m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Events further ahead of this job's clock are dead-lettered instead of moving the watermark"
                            + " (default: ${DEFAULT-VALUE}).")
    public Duration maxFutureSkew;
}
