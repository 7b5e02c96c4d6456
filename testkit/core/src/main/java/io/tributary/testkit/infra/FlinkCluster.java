package io.tributary.testkit.infra;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real Flink standalone session cluster: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each its own
 * JVM on the classpath a Flink distribution's lib/ holds (see tributary-testkit-flink-dist), REST
 * and web UI on a free port. Jobs reach it as on any cluster: their shaded jars through the REST
 * API or {@code flink run}.
 *
 * <p>Failure detection is tuned for tests that kill TaskManagers: heartbeats every second and a
 * TaskManager given up after five, so a job restarts within seconds of a {@code kill -9}.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final String RESOURCE = "/io/tributary/testkit/flink-dist.properties";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String TM_FRAMEWORK_HEAP = "128m";
    private static final String TM_FRAMEWORK_OFF_HEAP = "128m";
    private static final String TM_METASPACE = "256m";

    /**
     * What one TaskManager offers: slots, and the memory its tasks share (heap, managed memory for
     * RocksDB, network buffers, in MiB). The JVM flags follow from it as Flink's scripts derive
     * them.
     */
    public record TaskManagerSize(int slots, int taskHeapMb, int managedMb, int networkMb) {
        /** Enough for a test's two or three jobs at parallelism 2. */
        public static TaskManagerSize forTests(int slots) {
            return new TaskManagerSize(slots, 512, 512, 128);
        }
    }

    private final Path home;
    private final int restPort;
    private final TaskManagerSize size;
    private final ChildProcess jobManager;
    private final Map<String, ChildProcess> taskManagers = new LinkedHashMap<>();
    private int taskManagersStarted;

    private FlinkCluster(Path home, int restPort, TaskManagerSize size, ChildProcess jobManager) {
        this.home = home;
        this.restPort = restPort;
        this.size = size;
        this.jobManager = jobManager;
    }

    /**
     * Starts a JobManager and one test-sized TaskManager with {@code slotsPerTaskManager} slots,
     * REST on a free port.
     */
    public static FlinkCluster start(int slotsPerTaskManager) {
        return start(TaskManagerSize.forTests(slotsPerTaskManager), FreePorts.next());
    }

    /**
     * Starts a JobManager with REST and the web UI on {@code restPort}, and one TaskManager of
     * {@code size}.
     */
    public static FlinkCluster start(TaskManagerSize size, int restPort) {
        Path home = TempDirs.create("flink-cluster");
        try {
            writeConfig(home, restPort, size);
            ChildProcess jobManager =
                    ChildProcess.start(
                            "flink-jobmanager",
                            jvm(
                                    home,
                                    "jobmanager",
                                    List.of("-Xms512m", "-Xmx512m", "-XX:MaxMetaspaceSize=256m"),
                                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"),
                            home,
                            home.resolve("log").resolve("jobmanager.out"));
            FlinkCluster cluster = new FlinkCluster(home, restPort, size, jobManager);
            try {
                jobManager.awaitHttp(
                        "Flink JobManager",
                        HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/overview"))
                                .GET()
                                .build(),
                        status -> status == 200,
                        Duration.ofSeconds(90));
                cluster.startTaskManager();
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            TempDirs.delete(home);
            throw new UncheckedIOException(e);
        }
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    /** Where the cluster keeps its configuration ({@code conf/}) and logs ({@code log/}). */
    public Path home() {
        return home;
    }

    /**
     * Starts one more TaskManager and returns once the JobManager has registered it (by its
     * resource id: right after a kill the JobManager still counts the dead one until its heartbeat
     * times out).
     */
    public synchronized void startTaskManager() {
        String id = "taskmanager-" + (++taskManagersStarted);
        String heap = (megabytes(TM_FRAMEWORK_HEAP) + size.taskHeapMb()) + "m";
        List<String> command =
                jvm(
                        home,
                        id,
                        List.of(
                                "-Xms" + heap,
                                "-Xmx" + heap,
                                "-XX:MaxDirectMemorySize="
                                        + (megabytes(TM_FRAMEWORK_OFF_HEAP) + size.networkMb())
                                        + "m",
                                "-XX:MaxMetaspaceSize=" + TM_METASPACE),
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        command.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        ChildProcess taskManager =
                ChildProcess.start(
                        "flink-" + id, command, home, home.resolve("log").resolve(id + ".out"));
        taskManagers.put(id, taskManager);
        taskManager.awaitAlive(
                id + " registered with the JobManager",
                Duration.ofSeconds(90),
                () -> isRegistered(id));
    }

    /**
     * {@code kill -9} of the newest running TaskManager's JVM: its slots, and the tasks in them,
     * vanish without a goodbye. Returns once the process is gone.
     */
    public synchronized void killTaskManager() {
        List<String> ids = new ArrayList<>(taskManagers.keySet());
        for (int i = ids.size() - 1; i >= 0; i--) {
            if (taskManagers.get(ids.get(i)).isAlive()) {
                killTaskManager(ids.get(i));
                return;
            }
        }
        throw new IllegalStateException("no TaskManager is running");
    }

    /** {@code kill -9} of the TaskManager with this resource id. */
    public synchronized void killTaskManager(String resourceId) {
        ChildProcess taskManager = taskManagers.get(resourceId);
        if (taskManager == null || !taskManager.isAlive()) {
            throw new IllegalStateException(resourceId + " is not running");
        }
        taskManager.killHard();
    }

    /** Resource ids of the registered TaskManagers that run at least one task. */
    public List<String> busyTaskManagers() {
        List<String> busy = new ArrayList<>();
        for (JsonNode taskManager : rest("/taskmanagers").path("taskmanagers")) {
            if (taskManager.path("freeSlots").asInt() < taskManager.path("slotsNumber").asInt()) {
                busy.add(taskManager.path("id").asText());
            }
        }
        return busy;
    }

    /** Whether the JobManager counts the TaskManager with this resource id as registered. */
    public boolean isRegistered(String resourceId) {
        for (JsonNode taskManager : rest("/taskmanagers").path("taskmanagers")) {
            if (taskManager.path("id").asText().equals(resourceId)) {
                return true;
            }
        }
        return false;
    }

    /** TaskManagers the JobManager currently counts as registered. */
    public int registeredTaskManagers() {
        return rest("/taskmanagers").path("taskmanagers").size();
    }

    /**
     * Waits until the job is RUNNING with every task running (not just scheduled); returns how long
     * that took.
     */
    public Duration awaitAllTasksRunning(String jobId, Duration timeout) {
        long start = System.nanoTime();
        await("job " + jobId + " with all its tasks running")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            JsonNode job = rest("/jobs/" + jobId);
                            String state = job.path("state").asText();
                            if (state.equals("FAILED")
                                    || state.equals("CANCELED")
                                    || state.equals("FINISHED")) {
                                throw new IllegalStateException("job " + jobId + " is " + state);
                            }
                            boolean running =
                                    state.equals("RUNNING") && job.path("vertices").size() > 0;
                            for (JsonNode vertex : job.path("vertices")) {
                                running &= vertex.path("status").asText().equals("RUNNING");
                            }
                            return running;
                        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Checkpoints of the job that completed so far. */
    public long completedCheckpoints(String jobId) {
        return rest("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * Waits until {@code count} more checkpoints of the job complete: what the job read until then
     * is committed, and a restore resumes after it.
     */
    public void awaitNewCheckpoints(String jobId, int count, Duration timeout) {
        long before = completedCheckpoints(jobId);
        await(count + " more checkpoints of job " + jobId)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> completedCheckpoints(jobId) >= before + count);
    }

    public TaskManagerSize taskManagerSize() {
        return size;
    }

    /** GET on the REST API, as JSON. */
    public JsonNode rest(String path) {
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(restUrl() + path))
                                            .timeout(Duration.ofSeconds(10))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET "
                                + path
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + restUrl() + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        for (ChildProcess taskManager : taskManagers.values()) {
            taskManager.close();
        }
        jobManager.close();
        TempDirs.delete(home);
    }

    private static List<String> jvm(
            Path home, String logName, List<String> memory, String mainClass) {
        List<String> command = new ArrayList<>(List.of(KafkaBroker.javaExecutable()));
        command.addAll(memory);
        command.addAll(Arrays.asList(property("flink.jvm.opens").trim().split("\\s+")));
        command.addAll(
                List.of(
                        "-Dlog.file=" + home.resolve("log").resolve(logName + ".log"),
                        "-Dlog4j.configurationFile="
                                + home.resolve("conf").resolve("log4j.properties"),
                        "-Dlog4j2.configurationFile="
                                + home.resolve("conf").resolve("log4j.properties"),
                        "-cp",
                        property("flink.classpath"),
                        mainClass,
                        "--configDir",
                        home.resolve("conf").toString()));
        return command;
    }

    private static void writeConfig(Path home, int restPort, TaskManagerSize size)
            throws IOException {
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        Files.writeString(
                conf.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: 127.0.0.1",
                        "jobmanager.rpc.port: " + FreePorts.next(),
                        "jobmanager.bind-host: 127.0.0.1",
                        "jobmanager.memory.heap.size: 512m",
                        "jobmanager.memory.off-heap.size: 128m",
                        "jobmanager.memory.jvm-metaspace.size: 256m",
                        "jobmanager.memory.jvm-overhead.min: 128m",
                        "jobmanager.memory.jvm-overhead.max: 128m",
                        "jobmanager.execution.failover-strategy: region",
                        // A lost TaskManager is already detected by its heartbeat; the first retry
                        // need not wait
                        // further (Flink's default waits 1 s). Repeated failures still back off up
                        // to 5 s.
                        "restart-strategy.type: exponential-delay",
                        "restart-strategy.exponential-delay.initial-backoff: 100ms",
                        "restart-strategy.exponential-delay.max-backoff: 5s",
                        "rest.address: 127.0.0.1",
                        "rest.bind-address: 127.0.0.1",
                        "rest.port: " + restPort,
                        "taskmanager.host: 127.0.0.1",
                        "taskmanager.bind-host: 127.0.0.1",
                        "taskmanager.rpc.port: 0",
                        "taskmanager.data.port: 0",
                        "taskmanager.numberOfTaskSlots: " + size.slots(),
                        "taskmanager.cpu.cores: " + size.slots(),
                        "taskmanager.memory.framework.heap.size: " + TM_FRAMEWORK_HEAP,
                        "taskmanager.memory.task.heap.size: " + size.taskHeapMb() + "m",
                        "taskmanager.memory.managed.size: " + size.managedMb() + "m",
                        "taskmanager.memory.framework.off-heap.size: " + TM_FRAMEWORK_OFF_HEAP,
                        "taskmanager.memory.task.off-heap.size: 0m",
                        "taskmanager.memory.network.min: " + size.networkMb() + "m",
                        "taskmanager.memory.network.max: " + size.networkMb() + "m",
                        "taskmanager.memory.jvm-metaspace.size: " + TM_METASPACE,
                        "taskmanager.memory.jvm-overhead.min: 192m",
                        "taskmanager.memory.jvm-overhead.max: 192m",
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 5000",
                        "io.tmp.dirs: " + tmp,
                        "web.tmpdir: " + tmp.resolve("web"),
                        "blob.storage.directory: " + tmp.resolve("blobs"),
                        "state.backend.rocksdb.localdir: " + tmp.resolve("rocksdb"),
                        "classloader.check-leaked-classloader: false",
                        ""));
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        ""));
    }

    private static int megabytes(String size) {
        return Integer.parseInt(size.substring(0, size.length() - 1));
    }

    private static String property(String key) {
        Properties properties = new Properties();
        try (InputStream in = FlinkCluster.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        RESOURCE
                                + " is not on the classpath: build the test kit first (mvn -B install -DskipTests)");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = properties.getProperty(key);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException(
                    key
                            + " is not set in "
                            + RESOURCE
                            + ": was tributary-testkit-flink-dist built?");
        }
        return value;
    }
}
