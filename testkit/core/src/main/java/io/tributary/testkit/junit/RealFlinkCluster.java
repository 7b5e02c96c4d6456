package io.tributary.testkit.junit;

import io.tributary.testkit.infra.FlinkCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real standalone Flink session cluster (JobManager and TaskManager JVMs) shared by the tests of
 * one class: {@code @RegisterExtension static final RealFlinkCluster FLINK = new
 * RealFlinkCluster(4);}
 */
public final class RealFlinkCluster implements BeforeAllCallback, AfterAllCallback {
    private final int slotsPerTaskManager;
    private FlinkCluster cluster;

    public RealFlinkCluster(int slotsPerTaskManager) {
        this.slotsPerTaskManager = slotsPerTaskManager;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = FlinkCluster.start(slotsPerTaskManager);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public FlinkCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "RealFlinkCluster must be a static @RegisterExtension field");
        }
        return cluster;
    }
}
