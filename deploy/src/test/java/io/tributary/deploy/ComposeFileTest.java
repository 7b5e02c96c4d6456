package io.tributary.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.launcher.SuiteFile;
import io.tributary.launcher.SuiteJob;
import io.tributary.testkit.Repository;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml checked without Docker: it parses (anchors and merge keys resolved as Compose
 * resolves them), every service has an image and a healthcheck, and every topic, host, port, bucket
 * and variable it names matches what the jobs are configured with — the suite file the `suite`
 * service submits is parsed by each job's own options class.
 */
class ComposeFileTest {
    private static final Path REPOSITORY = Repository.root();

    /** Compose's own variable syntax: ${NAME}, ${NAME:?error}, ${NAME:-default}. */
    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?[?-][^}]*)?}");

    /** Environment keys and Flink settings whose values are secrets. */
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(password|secret|token|api[-_]?key).*");

    private static String composeText;
    private static Map<String, String> envExample;
    private static Map<String, Map<String, Object>> services;
    private static Map<String, Map<String, Object>> rawServices;
    private static List<JobOptions> suite;
    private static Set<String> createdTopics;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        composeText = Files.readString(REPOSITORY.resolve("docker-compose.yml"));
        envExample = new HashMap<>();
        for (String line : Files.readAllLines(REPOSITORY.resolve(".env.example"))) {
            int equals = line.indexOf('=');
            if (!line.startsWith("#") && equals > 0) {
                envExample.put(line.substring(0, equals).strip(), line.substring(equals + 1));
            }
        }
        // As `docker compose` does with the .env an operator copies from .env.example.
        String interpolated =
                VARIABLE.matcher(composeText)
                        .replaceAll(
                                variable ->
                                        Matcher.quoteReplacement(
                                                envExample.getOrDefault(variable.group(1), "")));
        services =
                (Map<String, Map<String, Object>>)
                        new Yaml().<Map<String, Object>>load(interpolated).get("services");
        rawServices =
                (Map<String, Map<String, Object>>)
                        new Yaml().<Map<String, Object>>load(composeText).get("services");
        createdTopics = new HashSet<>();
        for (String line : Files.readAllLines(REPOSITORY.resolve("deploy/compose/topics.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                createdTopics.add(line.strip().split("\\s+")[0]);
            }
        }
        Map<String, String> suiteEnvironment = environment("suite");
        suite = new ArrayList<>();
        // Fails with file:line:column if the suite file names a variable the service does not set.
        for (SuiteFile.Entry entry :
                SuiteFile.read(REPOSITORY.resolve("deploy/compose/suite.conf"), suiteEnvironment)) {
            suite.add(JobOptions.parse(entry.job(), entry.args()));
        }
    }

    @Test
    void everyPublishedPortListensOnLoopbackOnly() {
        rawServices.forEach(
                (name, service) -> {
                    if (service.get("ports") instanceof List<?> ports) {
                        assertThat(ports)
                                .as(name + " publishes only on 127.0.0.1")
                                .allSatisfy(
                                        port ->
                                                assertThat(port.toString())
                                                        .startsWith("127.0.0.1:"));
                    }
                });
    }

    @Test
    void noSecretIsWrittenInTheFileAndEveryOneIsRequiredFromTheUncommittedEnvFile()
            throws Exception {
        Map<String, String> secrets = new HashMap<>();
        rawServices.forEach(
                (name, service) -> {
                    if (service.get("environment") instanceof Map<?, ?> environment) {
                        environment.forEach(
                                (key, value) -> {
                                    if (SECRET_KEY.matcher(key.toString()).matches()) {
                                        secrets.put(name + " " + key, String.valueOf(value));
                                    }
                                });
                    }
                });
        for (String line : composeText.split("\n")) {
            String setting = line.strip();
            int colon = setting.indexOf(": ");
            if (colon > 0 && SECRET_KEY.matcher(setting.substring(0, colon)).matches()) {
                secrets.put("line " + setting.substring(0, colon), setting.substring(colon + 2));
            }
        }
        assertThat(secrets).isNotEmpty();
        secrets.forEach(
                (where, value) -> {
                    Matcher required = VARIABLE.matcher(value);
                    assertThat(required.matches() && value.contains(":?"))
                            .as(where + " is a required variable, not a value: " + value)
                            .isTrue();
                    assertThat(envExample)
                            .as(".env.example names " + required.group(1))
                            .containsKey(required.group(1));
                });
        assertThat(Files.readAllLines(REPOSITORY.resolve(".gitignore"))).contains(".env");
    }

    @Test
    void everyServiceHasAnImageAndAHealthcheck() {
        assertThat(services)
                .containsKeys(
                        "kafka",
                        "registry",
                        "jobmanager",
                        "taskmanager",
                        "postgres",
                        "search",
                        "minio",
                        "prometheus",
                        "grafana",
                        "suite");
        services.forEach(
                (name, service) -> {
                    assertThat(service.get("image")).as(name + " image").isInstanceOf(String.class);
                    assertThat((String) service.get("image")).as(name + " image").contains(":");
                    assertThat(service.get("healthcheck"))
                            .as(name + " healthcheck")
                            .isInstanceOf(Map.class);
                    assertThat(((Map<?, ?>) service.get("healthcheck")).get("test"))
                            .as(name + " healthcheck test")
                            .isNotNull();
                });
    }

    @Test
    void theSuiteSubmitsEveryJobThatRunsOnKafkaAndTheImageHoldsTheirJars() throws Exception {
        Set<SuiteJob> submitted = new HashSet<>();
        suite.forEach(job -> submitted.add(job.job()));
        assertThat(submitted)
                .contains(
                        SuiteJob.INGEST,
                        SuiteJob.AGGREGATIONS,
                        SuiteJob.CEP_RULES,
                        SuiteJob.MEDIA,
                        SuiteJob.SINKS_WAREHOUSE,
                        SuiteJob.SINKS_LAKE,
                        SuiteJob.SINKS_SEARCH_OPENSEARCH2);
        String dockerfile = Files.readString(REPOSITORY.resolve("deploy/image/Dockerfile"));
        for (SuiteJob job : submitted) {
            assertThat(dockerfile)
                    .as("the image has the jar of " + job.jobName())
                    .contains(job.module() + "/target/tributary-" + job.jobName() + "-*-job.jar");
        }
    }

    @Test
    void everyTopicAJobReadsOrWritesIsCreated() {
        for (JobOptions job : suite) {
            assertThat(job.topics()).as(job.job().jobName() + " topics").isNotEmpty();
            assertThat(createdTopics)
                    .as("topics created for " + job.job().jobName())
                    .containsAll(job.topics());
        }
    }

    @Test
    void hostsAndPortsTheJobsUseAreServicesListeningThere() {
        Map<String, String> kafka = environment("kafka");
        Map<String, String> postgres = environment("postgres");
        for (JobOptions job : suite) {
            String bootstrap = job.value("--bootstrap-servers");
            assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS"))
                    .as("kafka advertises " + bootstrap)
                    .contains("://" + bootstrap);
            assertThat(environment("kafka-setup").get("BOOTSTRAP_SERVERS")).isEqualTo(bootstrap);
            URI registry = URI.create(job.value("--registry-url"));
            assertThat(registry.getHost()).isEqualTo("registry");
            assertThat(containerPorts("registry")).contains(registry.getPort());
        }
        JobOptions warehouse = job(SuiteJob.SINKS_WAREHOUSE);
        URI jdbc = URI.create(warehouse.value("--jdbc-url").substring("jdbc:".length()));
        assertThat(jdbc.getHost()).isEqualTo("postgres");
        assertThat(containerPorts("postgres")).contains(jdbc.getPort());
        assertThat(jdbc.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
        assertThat(warehouse.value("--jdbc-user")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(environment("jobmanager").get("TRIBUTARY_JDBC_PASSWORD"))
                .as("the warehouse's main runs in the JobManager")
                .isEqualTo(postgres.get("POSTGRES_PASSWORD"));
        URI search = URI.create(job(SuiteJob.SINKS_SEARCH_OPENSEARCH2).value("--search-url"));
        assertThat(search.getHost()).isEqualTo("search");
        assertThat(containerPorts("search")).contains(search.getPort());
        URI rest = URI.create(environment("suite").get("FLINK_REST_URL"));
        assertThat(rest.getHost()).isEqualTo("jobmanager");
        assertThat(containerPorts("jobmanager")).contains(rest.getPort());
        assertThat(flinkProperties().get("rest.address")).isEqualTo("jobmanager");
    }

    @Test
    void everyBucketAJobWritesIsCreatedOnTheS3ServiceFlinkUses() {
        Map<String, String> flink = flinkProperties();
        URI endpoint = URI.create(flink.get("s3.endpoint"));
        assertThat(endpoint.getHost()).isEqualTo("minio");
        assertThat(containerPorts("minio")).contains(endpoint.getPort());
        assertThat(flink.get("s3.access-key"))
                .isEqualTo(environment("minio").get("MINIO_ROOT_USER"));
        assertThat(flink.get("s3.secret-key"))
                .isEqualTo(environment("minio").get("MINIO_ROOT_PASSWORD"));
        String bucketSetup = String.valueOf(services.get("minio-setup").get("command"));
        Set<String> buckets = new HashSet<>();
        suite.forEach(job -> buckets.addAll(job.s3Buckets()));
        buckets.add(URI.create(flink.get("execution.checkpointing.dir")).getHost());
        buckets.add(URI.create(flink.get("execution.checkpointing.savepoint-dir")).getHost());
        // A job started with --changelog writes its state changes there.
        buckets.add(URI.create(flink.get("state.changelog.dstl.dfs.base-path")).getHost());
        assertThat(buckets)
                .isNotEmpty()
                .allSatisfy(
                        bucket ->
                                assertThat(bucketSetup)
                                        .as("bucket " + bucket + " is created")
                                        .contains(bucket));
    }

    @Test
    void prometheusScrapesTheReporterPortAndEveryMountedFileExists() throws Exception {
        String port = flinkProperties().get("metrics.reporter.prom.port");
        String prometheus = Files.readString(REPOSITORY.resolve("deploy/compose/prometheus.yml"));
        assertThat(prometheus).contains("jobmanager:" + port, "taskmanager:" + port);
        services.forEach(
                (name, service) -> {
                    Object volumes = service.get("volumes");
                    if (volumes instanceof List<?> list) {
                        for (Object volume : list) {
                            String host = volume.toString().split(":")[0];
                            if (host.startsWith("./")) {
                                assertThat(REPOSITORY.resolve(host.substring(2)))
                                        .as(name + " mounts " + host)
                                        .exists();
                            }
                        }
                    }
                });
        assertThat(REPOSITORY.resolve("deploy/compose/grafana/dashboards/tributary-overview.json"))
                .exists();
    }

    private static JobOptions job(SuiteJob job) {
        return suite.stream().filter(j -> j.job() == job).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String service) {
        Map<String, String> environment = new HashMap<>();
        Object value = services.get(service).get("environment");
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> environment.put(k.toString(), String.valueOf(v)));
        }
        return environment;
    }

    /** Flink's settings as the image's entrypoint reads them from FLINK_PROPERTIES. */
    private static Map<String, String> flinkProperties() {
        Map<String, String> properties = new HashMap<>();
        for (String line : environment("jobmanager").get("FLINK_PROPERTIES").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                properties.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        assertThat(environment("taskmanager").get("FLINK_PROPERTIES"))
                .isEqualTo(environment("jobmanager").get("FLINK_PROPERTIES"));
        return properties;
    }

    /**
     * Ports the service publishes, on the container side: where it listens inside the Compose
     * network.
     */
    private static Set<Integer> containerPorts(String service) {
        Set<Integer> ports = new HashSet<>();
        Object published = services.get(service).get("ports");
        if (published instanceof List<?> list) {
            for (Object port : list) {
                String[] parts = port.toString().split(":");
                ports.add(Integer.parseInt(parts[parts.length - 1]));
            }
        }
        return ports;
    }
}
