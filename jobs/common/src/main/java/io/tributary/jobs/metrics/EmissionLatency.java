package io.tributary.jobs.metrics;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * How old what a job writes is when it writes it, as operators see freshness: wall-clock time of
 * emission minus the record's event time (the Kafka timestamp the job writes: an event's time, a
 * window's end, the last event of a match), and, where the job knows it, minus the time the event
 * reached the platform (the raw record's Kafka timestamp). Histograms of the last {@value #WINDOW}
 * records under the metric group {@code latency}; Prometheus shows their quantiles.
 */
public final class EmissionLatency {
    public static final String GROUP = "latency";
    public static final String EVENT_TIME = "eventTimeToEmissionMs";
    public static final String INGEST_TIME = "ingestTimeToEmissionMs";

    /** Records a histogram's quantiles are computed over. */
    static final int WINDOW = 1024;

    /** Stands for an ingest time the job does not know. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    private final Histogram eventTime;
    private final Histogram ingestTime;
    private final Clock clock;

    /** Milliseconds since the epoch, as record timestamps count them. */
    public interface Clock {
        long millis();
    }

    private EmissionLatency(Histogram eventTime, Histogram ingestTime, Clock clock) {
        this.eventTime = eventTime;
        this.ingestTime = ingestTime;
        this.clock = clock;
    }

    /**
     * @param withIngestTime whether the job knows when each event reached the platform
     */
    public static EmissionLatency register(MetricGroup operator, boolean withIngestTime) {
        return register(operator, withIngestTime, System::currentTimeMillis);
    }

    static EmissionLatency register(MetricGroup operator, boolean withIngestTime, Clock clock) {
        MetricGroup group = operator.addGroup(GROUP);
        Histogram eventTime =
                group.histogram(EVENT_TIME, new DescriptiveStatisticsHistogram(WINDOW));
        Histogram ingestTime =
                withIngestTime
                        ? group.histogram(INGEST_TIME, new DescriptiveStatisticsHistogram(WINDOW))
                        : null;
        return new EmissionLatency(eventTime, ingestTime, clock);
    }

    /**
     * Counts one emitted record. A timestamp ahead of the clock (a final watermark's
     * Long.MAX_VALUE, a device clock running fast) says nothing about freshness and is skipped.
     */
    public void emitted(long eventTimeMillis, long ingestTimeMillis) {
        long now = clock.millis();
        if (eventTimeMillis <= now && eventTimeMillis != UNKNOWN) {
            eventTime.update(now - eventTimeMillis);
        }
        if (ingestTime != null && ingestTimeMillis != UNKNOWN && ingestTimeMillis <= now) {
            ingestTime.update(now - ingestTimeMillis);
        }
    }

    public void emitted(long eventTimeMillis) {
        emitted(eventTimeMillis, UNKNOWN);
    }
}
