package io.tributary.testkit.flink;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Failure injection for integration tests: passes records through, slowly, until a checkpoint has
 * completed, then throws once so the job restores from that checkpoint mid-stream. The flag lives
 * in a static map because it must survive the restart of the task; each instance has its own key.
 */
public final class FailOnceAfterCheckpoint<T> implements MapFunction<T, T>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();

    private final String key = UUID.randomUUID().toString();
    private transient boolean checkpointCompleted;

    public FailOnceAfterCheckpoint() {
        FAILED.put(key, new AtomicBoolean(false));
    }

    /** Whether this instance's failure has happened (in any of its parallel subtasks). */
    public boolean hasFailed() {
        return FAILED.get(key).get();
    }

    @Override
    public T map(T record) throws Exception {
        AtomicBoolean failed = FAILED.get(key);
        if (!failed.get()) {
            if (checkpointCompleted && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure after a completed checkpoint");
            }
            // Slow enough that the first checkpoint completes while input is still flowing.
            Thread.sleep(2);
        }
        return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }
}
