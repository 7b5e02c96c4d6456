package io.tributary.testkit.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A sink that keeps what it receives in the test's JVM, for job-level tests on a MiniCluster (which
 * runs its tasks in the same JVM). Each instance has its own id, so tests running jobs side by side
 * do not see each other's records; {@link #clear()} when done.
 *
 * <p>At-least-once: a job restarted from a checkpoint delivers again what came after it. Tests of
 * exactly-once use the real Kafka sinks.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RECEIVED.put(id, new ArrayList<>());
    }

    /** What the sink received so far, in arrival order (per subtask; subtasks interleave). */
    @SuppressWarnings("unchecked")
    public List<T> received() {
        List<Object> received = RECEIVED.get(id);
        synchronized (received) {
            return (List<T>) List.copyOf(received);
        }
    }

    public void clear() {
        RECEIVED.remove(id);
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<T> createWriter(InitContext context) {
        List<Object> received = RECEIVED.get(id);
        if (received == null) {
            throw new IllegalStateException("the collecting sink was cleared before its job ran");
        }
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                synchronized (received) {
                    received.add(element);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
