package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.schemas.Envelope;
import io.tributary.testkit.Repository;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The shape of the job: the events routed to every rule key in the task that reads them, one
 * shuffle, and every rule in one operator.
 */
class CepRulesJobGraphTest {

    @Test
    void everyRuleRunsInOneTaskBehindOneShuffle() throws Exception {
        List<Rule> rules = RuleLoader.load(Repository.rules()).rulesOrThrow();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Envelope> events =
                env.fromData(
                        FixtureEvents.parse(
                                "graph",
                                List.of(
                                        "{\"type\": \"PLAY\", \"time\": \"0s\", \"sessionId\": \"s\"}")));
        CepRulesJob.Detection detection = CepRulesJob.detect(events, rules, "");
        detection.alerts().sinkTo(new DiscardingSink<>());
        detection.lateEvents().sinkTo(new DiscardingSink<>());
        JobGraph graph = env.getStreamGraph().getJobGraph();

        List<JobVertex> vertices =
                StreamSupport.stream(graph.getVertices().spliterator(), false).toList();
        List<JobVertex> ruleTasks =
                vertices.stream().filter(v -> v.getName().contains("rules")).toList();
        assertThat(ruleTasks)
                .as("every rule, whatever its key, in one task behind one shuffle")
                .hasSize(1);
        assertThat(ruleTasks.get(0).getInputs())
                .as("routed events, and the rule sets in force (here: only the watermark)")
                .hasSize(2);
        assertThat(vertices.stream().filter(v -> v.getName().contains("route to rule keys")))
                .as("one routing task, whatever the number of key shapes")
                .hasSize(1);
    }
}
