package io.tributary.aggregations.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadingStatsTest {

    @Test
    void matchesTheTextbookFormulasAndMergesExactly() {
        Random random = new Random(5);
        double[] values = new double[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1e6 + 45 + 3 * random.nextGaussian();
        }
        ReadingStats all = new ReadingStats();
        ReadingStats left = new ReadingStats();
        ReadingStats right = new ReadingStats();
        for (int i = 0; i < values.length; i++) {
            all.add(values[i], "celsius");
            (i < 300 ? left : right).add(values[i], "celsius");
        }
        double mean = java.util.Arrays.stream(values).average().orElseThrow();
        double variance =
                java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum()
                        / values.length;

        assertThat(all.mean).isCloseTo(mean, within(1e-6));
        assertThat(all.stddev()).isCloseTo(Math.sqrt(variance), within(1e-6));
        ReadingStats merged = left.merge(right);
        assertThat(merged.count).isEqualTo(values.length);
        assertThat(merged.mean).isCloseTo(mean, within(1e-6));
        assertThat(merged.stddev()).isCloseTo(Math.sqrt(variance), within(1e-6));
        assertThat(merged.min).isEqualTo(java.util.Arrays.stream(values).min().orElseThrow());
        assertThat(merged.max).isEqualTo(java.util.Arrays.stream(values).max().orElseThrow());
        assertThat(merged.unit).isEqualTo("celsius");
    }

    @Test
    void flagsASpikeButNotNoise() {
        ReadingStats steady = new ReadingStats();
        for (int i = 0; i < 100; i++) {
            steady.add(40 + (i % 5) * 0.1, "celsius");
        }
        assertThat(steady.anomaly()).isFalse();

        steady.add(95, "celsius");
        assertThat(steady.anomaly()).isTrue();

        ReadingStats flat = new ReadingStats();
        flat.add(40, "celsius");
        flat.add(40, "celsius");
        assertThat(flat.anomaly()).as("no spread, nothing to judge").isFalse();
        assertThat(new ReadingStats().merge(flat).count).isEqualTo(2);
    }
}
