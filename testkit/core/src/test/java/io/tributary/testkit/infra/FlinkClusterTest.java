package io.tributary.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlinkClusterTest {

    @Test
    void aTaskManagerKilledWithSigkillIsDroppedAndANewOneTakesItsPlace() throws Exception {
        Path home;
        try (FlinkCluster cluster = FlinkCluster.start(3)) {
            home = cluster.home();
            JsonNode overview = cluster.rest("/overview");
            assertThat(overview.path("taskmanagers").asInt()).isEqualTo(1);
            assertThat(overview.path("slots-total").asInt()).isEqualTo(3);
            assertThat(overview.path("flink-version").asText()).isEqualTo("1.20.1");

            cluster.killTaskManager();
            await("the JobManager noticing the loss")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.registeredTaskManagers() == 0);

            cluster.startTaskManager();
            // Registration comes first; the overview counts the slots once their report is in
            // (seen lagging in CI).
            await("the new TaskManager's slots in the overview")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.rest("/overview").path("slots-total").asInt() == 3);
        }
        assertThat(home).doesNotExist();
    }
}
