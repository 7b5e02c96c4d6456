package io.tributary.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Progress of a run over time, sampled every {@value #INTERVAL_MS} ms: records written so far
 * against seconds since the run began. For a job it counts what its sinks have appended to their
 * topics, open transactions included (the log end, read uncommitted), so progress shows as it
 * happens rather than at each checkpoint's commit.
 *
 * <p>The steady-state rate is taken between 10% and 90% of the run's final count: it leaves out the
 * job's start (deploying, opening producers, the first fetches) and the tail (the last partial
 * checkpoint interval and the final commit), which the whole-run figure includes.
 */
final class ThroughputSampler implements AutoCloseable {
    static final long INTERVAL_MS = 250;

    private final LongSupplier progress;
    private final AutoCloseable resource;
    private final long start = System.nanoTime();
    private final List<long[]> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private ThroughputSampler(LongSupplier progress, AutoCloseable resource) {
        this.progress = progress;
        this.resource = resource;
        sample();
        this.thread = new Thread(this::loop, "throughput-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Samples a counter the caller advances (the plain copy counts its own records). */
    static ThroughputSampler of(LongSupplier progress) {
        return new ThroughputSampler(progress, () -> {});
    }

    /**
     * Samples the summed log end offsets of {@code topics} (each with {@code partitions}
     * partitions).
     */
    static ThroughputSampler ofTopics(
            String bootstrapServers, List<String> topics, int partitions) {
        Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String topic : topics) {
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        ListOffsetsOptions uncommitted = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED);
        return new ThroughputSampler(
                new LongSupplier() {
                    private long last;

                    @Override
                    public long getAsLong() {
                        try {
                            last =
                                    admin
                                            .listOffsets(latest, uncommitted)
                                            .all()
                                            .get(5, TimeUnit.SECONDS)
                                            .values()
                                            .stream()
                                            .mapToLong(info -> Math.max(0, info.offset()))
                                            .sum();
                        } catch (Exception e) {
                            // A topic not there yet, or a slow answer: keep the last count.
                        }
                        return last;
                    }
                },
                () -> admin.close(Duration.ofSeconds(5)));
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private synchronized void sample() {
        samples.add(new long[] {System.nanoTime() - start, progress.getAsLong()});
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        try {
            resource.close();
        } catch (Exception e) {
            // Only the sampler's own admin client; nothing to keep.
        }
    }

    /** (seconds since start, records so far) for every sample. */
    synchronized List<double[]> series() {
        List<double[]> points = new ArrayList<>(samples.size());
        for (long[] s : samples) {
            points.add(new double[] {s[0] / 1e9, s[1]});
        }
        return points;
    }

    /** Records per second between 10% and 90% of the final count; NaN for too few samples. */
    synchronized double steadyState() {
        long total = samples.get(samples.size() - 1)[1];
        long[] from = null;
        long[] to = null;
        for (long[] s : samples) {
            if (from == null && s[1] >= total / 10) {
                from = s;
            }
            if (to == null && s[1] >= total * 9 / 10) {
                to = s;
            }
        }
        if (from == null || to == null || to[0] <= from[0]) {
            return Double.NaN;
        }
        return (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
    }

    /** How long the run took until the first record was written, in seconds. */
    synchronized double firstOutput() {
        for (long[] s : samples) {
            if (s[1] > 0) {
                return s[0] / 1e9;
            }
        }
        return Double.NaN;
    }
}
