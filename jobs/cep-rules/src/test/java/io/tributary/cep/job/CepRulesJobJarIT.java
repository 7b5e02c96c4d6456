package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.alerts.Alert;
import io.tributary.testkit.Repository;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged job jar as `flink run` handles it: the manifest main reads the rules directory, the
 * graph is built in a user-code class loader, and on the cluster the rules' CEL conditions compile
 * and match inside the jar's own copy of the expression library.
 */
class CepRulesJobJarIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();

    /**
     * On a cluster only Flink is on the parent class path. Here the test's class path also holds
     * Kafka, Avro and Tributary's own classes; Avro (parent-first, because flink-avro's signatures
     * use it) resolves record classes by name in its own loader, so the schemas must come from the
     * parent as well or two copies of Envelope meet. The jar still supplies the main class, the
     * option parsing and the graph; the first test checks what it bundles.
     */
    private static final Configuration CLASS_LOADING = new Configuration();

    static {
        CLASS_LOADING.set(
                CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL,
                List.of("org.apache.kafka.", "org.apache.avro.", "io.tributary."));
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4, CLASS_LOADING);

    @Test
    void theJarBundlesTheRuleLanguageButNotFlink() throws Exception {
        try (JarFile jar = new JarFile(jobJar())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(CepRulesJobMain.class.getName());
            assertThat(jar.getEntry("io/tributary/cep/rules/rule.schema.json")).isNotNull();
            assertThat(jar.getEntry("dev/cel/runtime/CelRuntime.class")).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/cep/CEP.class")).isNotNull();
            assertThat(
                            jar.getEntry(
                                    "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .as("Flink itself is provided by the cluster")
                    .isNull();
        }
    }

    @Test
    void theJarRunsTheShippedRules(@InjectClusterClient ClusterClient<?> client) throws Exception {
        CepKafka cep = new CepKafka(KAFKA, REGISTRY);
        KAFKA.broker()
                .createTopics(
                        2,
                        Topics.EVENTS_PLAYER,
                        Topics.EVENTS_MEDIA,
                        Topics.EVENTS_COMMERCE,
                        Topics.EVENTS_IOT,
                        Topics.CEP_ALERTS,
                        Topics.CEP_LATE_EVENTS);
        List<Envelope> stalls =
                FixtureEvents.parse(
                        "jar-it",
                        Stream.of(0, 15, 30)
                                .map(
                                        s ->
                                                "{\"id\": \"b"
                                                        + s
                                                        + "\", \"type\": \"BUFFER_START\", \"time\": \""
                                                        + CepRulesJobIT.T0.plusSeconds(s)
                                                        + "\", \"sessionId\": \"jar-session\"}")
                                .toList());
        cep.produce(Topics.EVENTS_PLAYER, stalls);

        PackagedProgram program =
                PackagedProgram.newBuilder()
                        .setJarFile(jobJar())
                        .setConfiguration(CLASS_LOADING)
                        .setArguments(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--registry-url",
                                REGISTRY.url(),
                                "--rules",
                                Repository.rules().toString(),
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "1s",
                                "--transaction-timeout",
                                "5m",
                                "--transactional-id-prefix",
                                "jar-it-" + UUID.randomUUID())
                        .build();
        JobGraph graph = PackagedProgramUtils.createJobGraph(program, CLASS_LOADING, 2, false);
        JobID job = client.submitJob(graph).get();
        JobResult result = client.requestJobResult(job).get();
        assertThat(result.getSerializedThrowable())
                .as(
                        () ->
                                result.getSerializedThrowable()
                                        .map(
                                                t ->
                                                        org.apache.flink.util.ExceptionUtils
                                                                .stringifyException(
                                                                        t.deserializeError(
                                                                                getClass()
                                                                                        .getClassLoader())))
                                        .orElse(""))
                .isEmpty();

        assertThat(cep.readAlerts(Topics.CEP_ALERTS))
                .extracting(Alert::getRuleId, Alert::getKey)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("rebuffering-storm", "jar-session"));
    }

    private static File jobJar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no *-job.jar in target/; run mvn package first"))
                    .toFile();
        }
    }
}
