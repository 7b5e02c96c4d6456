package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.aggregations.AggregationsJobMain;
import io.tributary.aggregations.AggregationsOptions;
import io.tributary.cep.job.CepRulesJobMain;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.ingest.IngestJobMain;
import io.tributary.ingest.IngestOptions;
import io.tributary.jobs.JobCommandLine;
import io.tributary.media.job.MediaPipelineJobMain;
import io.tributary.media.job.MediaPipelineOptions;
import io.tributary.sinks.lake.LakeJobMain;
import io.tributary.sinks.lake.LakeOptions;
import io.tributary.sinks.search.SearchJobMain;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.search.opensearch2.OpenSearch2SearchJobMain;
import io.tributary.sinks.warehouse.WarehouseJobMain;
import io.tributary.sinks.warehouse.WarehouseOptions;
import io.tributary.testkit.Repository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operator of every job of the suite has an explicit, unique uid. Flink matches savepoint
 * state to operators by these ids; without one, an id is derived from the graph's shape, and the
 * next build's changed shape would orphan the state. Built exactly as each job's main builds it.
 */
class StableUidsTest {
    private static final String[] KAFKA = {
        "--bootstrap-servers", "kafka:9092", "--registry-url", "http://registry:8080"
    };

    @Test
    void ingest() {
        IngestOptions options = JobCommandLine.parse(new IngestOptions(), KAFKA);
        assertEveryOperatorHasAUniqueUid(env -> IngestJobMain.buildOnKafka(env, options));
    }

    @Test
    void aggregations() {
        AggregationsOptions options = JobCommandLine.parse(new AggregationsOptions(), KAFKA);
        assertEveryOperatorHasAUniqueUid(env -> AggregationsJobMain.buildOnKafka(env, options));
    }

    @Test
    void cepRulesWithEveryShippedRule() {
        Path rules = Repository.rules();
        CepRulesOptions options =
                JobCommandLine.parse(new CepRulesOptions(), with("--rules", rules.toString()));
        assertEveryOperatorHasAUniqueUid(
                env ->
                        CepRulesJobMain.buildOnKafka(
                                env, options, RuleLoader.load(options.rules).rulesOrThrow()));
    }

    @Test
    void media() {
        MediaPipelineOptions options =
                JobCommandLine.parse(
                        new MediaPipelineOptions(),
                        with(
                                "--package-path",
                                "s3://media/packages",
                                "--cdn-base-url",
                                "https://cdn.example.com"));
        assertEveryOperatorHasAUniqueUid(env -> MediaPipelineJobMain.buildOnKafka(env, options));
    }

    @Test
    void warehouse() {
        WarehouseOptions options =
                JobCommandLine.parse(
                        new WarehouseOptions(),
                        with("--jdbc-url", "jdbc:postgresql://db/tributary"));
        assertEveryOperatorHasAUniqueUid(env -> WarehouseJobMain.buildOnKafka(env, options));
    }

    @Test
    void lake(@TempDir Path lake) {
        LakeOptions options =
                JobCommandLine.parse(
                        new LakeOptions(), with("--lake-path", lake.toUri().toString()));
        assertEveryOperatorHasAUniqueUid(env -> LakeJobMain.buildOnKafka(env, options));
    }

    @Test
    void search() {
        SearchOptions options =
                JobCommandLine.parse(
                        new SearchOptions(), with("--search-url", "http://search:9200"));
        assertEveryOperatorHasAUniqueUid(
                env -> SearchJobMain.buildOnKafka(env, options, OpenSearch2SearchJobMain.ENGINE));
    }

    private static String[] with(String... more) {
        List<String> args = new ArrayList<>(List.of(KAFKA));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static void assertEveryOperatorHasAUniqueUid(
            Consumer<StreamExecutionEnvironment> build) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build.accept(env);
        StreamGraph graph = env.getStreamGraph();
        List<String> missing = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid == null) {
                missing.add(node.getOperatorName());
            } else {
                assertThat(uids.add(uid)).as("uid '" + uid + "' used twice").isTrue();
            }
        }
        assertThat(missing).as("operators without a uid").isEmpty();
        assertThat(uids).isNotEmpty();
    }
}
