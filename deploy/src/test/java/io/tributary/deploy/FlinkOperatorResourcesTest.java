package io.tributary.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.tributary.launcher.SuiteJob;
import io.tributary.testkit.Repository;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * k8s/flink-operator/ rendered as kustomize would (base, dev and prod overlays, the session
 * variant), and every resource checked against the Flink Kubernetes operator 1.10's own CRD schema
 * (unknown fields refused, as {@code kubectl apply}'s strict field validation does) and read into
 * the operator's resource classes. Each job's jar and arguments are checked against the suite: the
 * jar is one the image holds, and the job's own options class accepts the arguments.
 */
class FlinkOperatorResourcesTest {
    private static final Path OPERATOR = Repository.path("k8s", "flink-operator");
    private static final Path REPOSITORY = Repository.root();
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String VERSION = System.getProperty("tributary.version", "0.1.0-SNAPSHOT");

    private static Map<String, JsonSchema> schemas;
    private static Set<String> suiteTopics;

    @BeforeAll
    static void loadCrdSchemas() throws Exception {
        schemas = new HashMap<>();
        for (String crd : List.of("flinkdeployments", "flinksessionjobs")) {
            try (InputStream in =
                    FlinkDeployment.class.getResourceAsStream(
                            "/META-INF/fabric8/" + crd + ".flink.apache.org-v1.yml")) {
                assertThat(in).as(crd + " CRD in flink-kubernetes-operator-api").isNotNull();
                Map<String, Object> definition = new Yaml().load(in);
                JsonNode root = JSON.valueToTree(definition);
                String kind = root.at("/spec/names/kind").asText();
                for (JsonNode version : root.at("/spec/versions")) {
                    if (version.path("name").asText().equals("v1beta1")) {
                        // Kubernetes itself checks apiVersion, kind and metadata; the CRD defines
                        // spec.
                        JsonNode schema =
                                strict(
                                        version.at("/schema/openAPIV3Schema/properties/spec")
                                                .deepCopy());
                        schemas.put(
                                kind,
                                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                                        .getSchema(schema));
                    }
                }
            }
        }
        assertThat(schemas).containsOnlyKeys("FlinkDeployment", "FlinkSessionJob");
        suiteTopics = new HashSet<>();
        for (String line : Files.readAllLines(REPOSITORY.resolve("deploy/compose/topics.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                suiteTopics.add(line.strip().split("\\s+")[0]);
            }
        }
    }

    @Test
    void theBaseRunsEveryJobInApplicationModeWithSavepointUpgradesRocksDbS3AndKubernetesHa()
            throws Exception {
        List<Map<String, Object>> base = Kustomize.render(OPERATOR.resolve("base"));
        Set<SuiteJob> deployed = new HashSet<>();
        for (Map<String, Object> resource : base) {
            assertValid(resource);
            JsonNode spec = JSON.valueToTree(resource).path("spec");
            JsonNode config = spec.path("flinkConfiguration");
            assertThat(config.path("state.backend.type").asText()).isEqualTo("rocksdb");
            assertThat(config.path("state.backend.incremental").asText()).isEqualTo("true");
            assertThat(config.path("execution.checkpointing.dir").asText()).startsWith("s3://");
            assertThat(config.path("execution.checkpointing.savepoint-dir").asText())
                    .startsWith("s3://");
            // A job started with --changelog needs no --changelog-dir: its state changes go next
            // to its checkpoints.
            assertThat(config.path("state.changelog.dstl.dfs.base-path").asText())
                    .startsWith(
                            config.path("execution.checkpointing.dir")
                                    .asText()
                                    .replace("/checkpoints", "/"));
            assertThat(config.path("high-availability.type").asText()).isEqualTo("kubernetes");
            assertThat(config.path("high-availability.storageDir").asText()).startsWith("s3://");
            assertThat(config.path("metrics.reporter.prom.factory.class").asText())
                    .endsWith("PrometheusReporterFactory");
            assertThat(
                            spec.path("podTemplate")
                                    .path("spec")
                                    .path("containers")
                                    .get(0)
                                    .path("name")
                                    .asText())
                    .isEqualTo("flink-main-container");
            assertThat(spec.path("image").asText()).isEqualTo("tributary/flink:0.1.0");
            assertThat(spec.path("flinkVersion").asText()).isEqualTo("v1_20");
            assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
            deployed.add(checkJob(spec.path("job"), "local:///opt/flink/usrlib/"));
        }
        assertThat(deployed)
                .containsExactlyInAnyOrder(
                        SuiteJob.INGEST,
                        SuiteJob.AGGREGATIONS,
                        SuiteJob.CEP_RULES,
                        SuiteJob.MEDIA,
                        SuiteJob.SINKS_WAREHOUSE,
                        SuiteJob.SINKS_LAKE,
                        SuiteJob.SINKS_SEARCH_OPENSEARCH2);
        String dockerfile = Files.readString(REPOSITORY.resolve("deploy/image/Dockerfile"));
        deployed.forEach(
                job ->
                        assertThat(dockerfile)
                                .contains(
                                        job.module()
                                                + "/target/tributary-"
                                                + job.jobName()
                                                + "-*-job.jar"));
    }

    @Test
    void theOverlaysRenderValidResourcesForTheirNamespaces() throws Exception {
        List<Map<String, Object>> dev = Kustomize.render(OPERATOR.resolve("overlays/dev"));
        List<Map<String, Object>> prod = Kustomize.render(OPERATOR.resolve("overlays/prod"));
        for (Map<String, Object> resource : concat(dev, prod)) {
            assertValid(resource);
            checkJob(JSON.valueToTree(resource).at("/spec/job"), "local:///opt/flink/usrlib/");
        }
        assertThat(dev)
                .hasSize(7)
                .allSatisfy(
                        r -> {
                            JsonNode node = JSON.valueToTree(r);
                            assertThat(node.at("/metadata/namespace").asText())
                                    .isEqualTo("tributary-dev");
                            assertThat(node.at("/spec/image").asText())
                                    .isEqualTo("tributary/flink:0.1.0-dev");
                            assertThat(node.at("/spec/job/parallelism").asInt()).isEqualTo(1);
                            assertThat(node.at("/spec/flinkConfiguration/s3.endpoint").asText())
                                    .isEqualTo("http://minio:9000");
                            assertThat(
                                            node.at("/spec/flinkConfiguration/state.backend.type")
                                                    .asText())
                                    .as("base settings survive the patch")
                                    .isEqualTo("rocksdb");
                        });
        Map<String, Integer> prodParallelism = new HashMap<>();
        prod.forEach(
                r ->
                        prodParallelism.put(
                                JSON.valueToTree(r).at("/metadata/name").asText(),
                                JSON.valueToTree(r).at("/spec/job/parallelism").asInt()));
        assertThat(prodParallelism)
                .containsEntry("tributary-ingest", 8)
                .containsEntry("tributary-aggregations", 4);
        assertThat(prod)
                .allSatisfy(
                        r ->
                                assertThat(
                                                JSON.valueToTree(r)
                                                        .at("/spec/jobManager/replicas")
                                                        .asInt())
                                        .isEqualTo(2));
        // A spare TaskManager is what keeps recovery from a lost pod under 15 s
        // (results/recovery.md).
        assertThat(prod)
                .allSatisfy(
                        r ->
                                assertThat(
                                                JSON.valueToTree(r)
                                                        .path("spec")
                                                        .path("flinkConfiguration")
                                                        .path(
                                                                org.apache.flink.configuration
                                                                        .ResourceManagerOptions
                                                                        .REDUNDANT_TASK_MANAGER_NUM
                                                                        .key())
                                                        .asInt())
                                        .isEqualTo(1));
    }

    @Test
    void theSessionVariantRunsEveryJobAsAFlinkSessionJobOnItsSessionCluster() throws Exception {
        List<Map<String, Object>> session = Kustomize.render(OPERATOR.resolve("session"));
        Set<String> clusters = new HashSet<>();
        List<JsonNode> jobs = new ArrayList<>();
        for (Map<String, Object> resource : session) {
            assertValid(resource);
            JsonNode node = JSON.valueToTree(resource);
            if (node.path("kind").asText().equals("FlinkDeployment")) {
                assertThat(node.at("/spec/job").isMissingNode())
                        .as("a session cluster runs no job of its own")
                        .isTrue();
                assertThat(node.at("/spec/flinkConfiguration/high-availability.type").asText())
                        .isEqualTo("kubernetes");
                clusters.add(node.at("/metadata/name").asText());
            } else {
                jobs.add(node);
            }
        }
        Set<SuiteJob> submitted = new HashSet<>();
        for (JsonNode job : jobs) {
            assertThat(clusters).contains(job.at("/spec/deploymentName").asText());
            submitted.add(checkJob(job.at("/spec/job"), "s3://tributary-artifacts/jars/"));
        }
        assertThat(submitted).hasSize(7);
    }

    /**
     * The jar is a suite job's, by name and version, and the job's own options accept the
     * arguments.
     */
    /**
     * Where credentials come from: every job reads its Kafka and registry settings, and the
     * warehouse and search sinks their passwords, from files on Secret volumes its pod mounts, and
     * no such Secret is optional (a pod without it does not start, rather than a job that fails to
     * authenticate). No password is an argument. Production reaches every server over TLS and
     * verifies it against the mounted CA.
     */
    @Test
    void credentialsComeFromRequiredSecretFilesAndProductionVerifiesTls() throws Exception {
        for (String variant : List.of("base", "overlays/dev", "overlays/prod", "session")) {
            List<Map<String, Object>> resources = Kustomize.render(OPERATOR.resolve(variant));
            Map<String, String> secretMounts = new HashMap<>();
            for (Map<String, Object> resource : resources) {
                JsonNode pod = JSON.valueToTree(resource).at("/spec/podTemplate/spec");
                for (JsonNode volume : pod.path("volumes")) {
                    if (volume.has("secret")) {
                        assertThat(volume.at("/secret/optional").asBoolean(false))
                                .as(
                                        variant
                                                + ": Secret volume "
                                                + volume.path("name")
                                                + " is required")
                                .isFalse();
                    }
                }
                for (JsonNode env : pod.at("/containers/0/env")) {
                    assertThat(env.at("/valueFrom/secretKeyRef/optional").asBoolean(false))
                            .as(variant + ": " + env.path("name") + " is required")
                            .isFalse();
                }
                for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
                    for (JsonNode volume : pod.path("volumes")) {
                        if (volume.path("name").equals(mount.path("name"))
                                && volume.has("secret")) {
                            secretMounts.put(
                                    name(resource) + " " + mount.path("mountPath").asText(),
                                    volume.at("/secret/secretName").asText());
                        }
                    }
                }
            }
            for (Map<String, Object> resource : resources) {
                JsonNode spec = JSON.valueToTree(resource).path("spec");
                if (!spec.has("job")) {
                    continue;
                }
                String pod =
                        spec.has("deploymentName")
                                ? spec.path("deploymentName").asText()
                                : name(resource);
                List<String> args = new ArrayList<>();
                spec.at("/job/args").forEach(arg -> args.add(arg.asText()));
                String what = variant + " " + name(resource);
                assertThat(args)
                        .as(what + " takes no password as an argument")
                        .doesNotContain("--jdbc-password", "--search-password")
                        .noneMatch(arg -> arg.toLowerCase().contains("password="));
                List<String> files = new ArrayList<>();
                for (String option :
                        List.of(
                                "--kafka-properties",
                                "--registry-properties",
                                "--jdbc-password-file",
                                "--search-password-file",
                                "--jdbc-ssl-root-cert",
                                "--search-ca")) {
                    int at = args.indexOf(option);
                    if (at >= 0) {
                        files.add(args.get(at + 1));
                    }
                }
                assertThat(args).as(what).contains("--kafka-properties", "--registry-properties");
                for (String file : files) {
                    String directory = file.substring(0, file.lastIndexOf('/'));
                    assertThat(secretMounts)
                            .as(what + " reads " + file + " from a mounted Secret")
                            .containsKey(pod + " " + directory);
                }
                if (variant.equals("overlays/prod")) {
                    assertThat(args.get(args.indexOf("--registry-url") + 1))
                            .as(what)
                            .startsWith("https://");
                    if (args.contains("--jdbc-url")) {
                        assertThat(args.get(args.indexOf("--jdbc-ssl-mode") + 1))
                                .isEqualTo("VERIFY_FULL");
                        assertThat(args).contains("--jdbc-ssl-root-cert");
                    }
                    if (args.contains("--search-url")) {
                        assertThat(args.get(args.indexOf("--search-url") + 1))
                                .startsWith("https://");
                        assertThat(args).contains("--search-ca");
                    }
                }
            }
        }
    }

    private static String name(Map<String, Object> resource) {
        return JSON.valueToTree(resource).at("/metadata/name").asText();
    }

    private static SuiteJob checkJob(JsonNode job, String jarLocation) {
        String jarUri = job.path("jarURI").asText();
        assertThat(jarUri).startsWith(jarLocation);
        String jar = jarUri.substring(jarLocation.length());
        SuiteJob suiteJob =
                Stream.of(SuiteJob.values())
                        .filter(
                                j ->
                                        jar.equals(
                                                "tributary-"
                                                        + j.jobName()
                                                        + "-"
                                                        + VERSION
                                                        + "-job.jar"))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                jarUri + " is no job jar of version " + VERSION));
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        JobOptions options = JobOptions.parse(suiteJob, args);
        assertThat(suiteTopics).as("topics of " + suiteJob.jobName()).containsAll(options.topics());
        assertThat(options.value("--checkpoint-dir"))
                .as(suiteJob.jobName() + " checkpoints")
                .startsWith("s3://tributary-state/checkpoints/");
        return suiteJob;
    }

    private static void assertValid(Map<String, Object> resource) throws Exception {
        JsonNode node = JSON.valueToTree(resource);
        String kind = node.path("kind").asText();
        String name = kind + " " + node.at("/metadata/name").asText();
        assertThat(schemas).as(name + " is a kind the operator defines").containsKey(kind);
        assertThat(node.path("apiVersion").asText()).as(name).isEqualTo("flink.apache.org/v1beta1");
        assertThat(node.at("/metadata/name").asText())
                .as(name)
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        Set<ValidationMessage> errors = schemas.get(kind).validate(node.path("spec"));
        assertThat(errors).as(name + " against the operator's CRD").isEmpty();
        Class<?> type =
                kind.equals("FlinkDeployment") ? FlinkDeployment.class : FlinkSessionJob.class;
        assertThat(JSON.treeToValue(node, type))
                .as(name + " read by the operator's classes")
                .isNotNull();
    }

    /**
     * The CRD schema with unknown fields refused wherever Kubernetes would prune them, so a typo
     * fails here the way {@code kubectl apply} (strict field validation) fails.
     */
    private static JsonNode strict(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.elements().forEachRemaining(FlinkOperatorResourcesTest::strict);
        } else if (schema.isArray()) {
            schema.elements().forEachRemaining(FlinkOperatorResourcesTest::strict);
        }
        return schema;
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
