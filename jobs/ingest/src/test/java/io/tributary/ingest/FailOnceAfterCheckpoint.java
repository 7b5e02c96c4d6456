package io.tributary.ingest;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Failure injection for integration tests: passes records through, slowly, until a checkpoint has
 * completed, then throws once so the job restores from that checkpoint mid-stream. The flag is
 * static because it must survive the restart of the task; give each test its own instance key.
 */
public final class FailOnceAfterCheckpoint implements MapFunction<RawRecord, RawRecord>, CheckpointListener {
    private static final long serialVersionUID = 1L;
    private static final java.util.Map<String, AtomicBoolean> FAILED = new java.util.concurrent.ConcurrentHashMap<>();

    private final String key;
    private transient boolean checkpointCompleted;

    public FailOnceAfterCheckpoint(String key) {
        this.key = key;
        FAILED.put(key, new AtomicBoolean(false));
    }

    public static boolean hasFailed(String key) {
        return FAILED.get(key).get();
    }

    @Override
    public RawRecord map(RawRecord record) throws Exception {
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
