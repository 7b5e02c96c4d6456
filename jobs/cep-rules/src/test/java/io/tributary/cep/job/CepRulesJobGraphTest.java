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
 * The shape of the job: one shuffle per distinct rule key, every rule of that key chained behind
 * it.
 */
class CepRulesJobGraphTest {

    @Test
    void rulesWithTheSameKeyShareOneShuffleAndOneTask() throws Exception {
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

        long distinctKeys =
                rules.stream().map(r -> r.domain() + String.join("+", r.key())).distinct().count();
        List<JobVertex> ruleTasks =
                StreamSupport.stream(graph.getVertices().spliterator(), false)
                        .filter(v -> v.getName().contains("rule(s) keyed by"))
                        .toList();
        assertThat(ruleTasks)
                .as("one task per key, whatever the number of rules")
                .hasSize((int) distinctKeys);
        int rulesInTasks =
                ruleTasks.stream()
                        .mapToInt(
                                t ->
                                        Integer.parseInt(
                                                t.getName()
                                                        .replaceAll(
                                                                "^.*?(\\d+) rule\\(s\\) keyed by.*$",
                                                                "$1")))
                        .sum();
        assertThat(rulesInTasks)
                .as("every rule runs in its key's operator")
                .isEqualTo(rules.size());
    }
}
