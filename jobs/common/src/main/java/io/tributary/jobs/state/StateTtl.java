package io.tributary.jobs.state;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The suite's one way to let keyed state expire where no window or timer bounds it. */
public final class StateTtl {
    private StateTtl() {}

    /**
     * Expires an entry {@code ttl} after it was last written; an expired entry is never read back.
     * RocksDB drops expired entries in compaction for free, and the heap backend sweeps a few
     * entries on each state access, so neither needs a timer per key.
     */
    public static StateTtlConfig expireAfterWrite(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .cleanupIncrementally(10, false)
                .build();
    }
}
