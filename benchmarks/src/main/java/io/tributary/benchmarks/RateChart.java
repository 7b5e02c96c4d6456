package io.tributary.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Records/s over time, one line per run, drawn from {@link ThroughputSampler#series()} (rates over
 * one-second steps).
 */
final class RateChart {
    private final LineChart chart;

    RateChart(String title) {
        chart = new LineChart(title, LineChart.XAxis.SECONDS, "records/s");
    }

    /** Adds a run: its progress samples become records/s per second. */
    RateChart add(String name, List<double[]> progress) {
        chart.line(name, rates(progress));
        return this;
    }

    static List<double[]> rates(List<double[]> progress) {
        List<double[]> rates = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < progress.size(); i++) {
            double[] a = progress.get(from);
            double[] b = progress.get(i);
            if (b[0] - a[0] >= 1.0 || i == progress.size() - 1) {
                rates.add(new double[] {b[0], (b[1] - a[1]) / (b[0] - a[0])});
                from = i;
            }
        }
        return rates;
    }

    String svg() {
        return chart.svg();
    }
}
