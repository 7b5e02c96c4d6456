package io.tributary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The suite's jobs, each by the name operators use and the module that builds its shaded jar
 * ({@code tributary-<name>-<version>-job.jar}). A new job joins the suite with one constant here;
 * its jar's manifest names its main class, so nothing else is needed to submit it.
 */
public enum SuiteJob {
    INGEST("ingest", "jobs/ingest"),
    AGGREGATIONS("aggregations", "jobs/aggregations"),
    CEP_RULES("cep-rules", "jobs/cep-rules"),
    MEDIA("media", "jobs/media"),
    SINKS_WAREHOUSE("sinks-warehouse", "jobs/sinks/warehouse"),
    SINKS_LAKE("sinks-lake", "jobs/sinks/lake"),
    SINKS_SEARCH_OPENSEARCH2("sinks-search-opensearch2", "jobs/sinks/search-opensearch2"),
    SINKS_SEARCH_ELASTICSEARCH7("sinks-search-elasticsearch7", "jobs/sinks/search-elasticsearch7");

    private final String jobName;
    private final String module;

    SuiteJob(String jobName, String module) {
        this.jobName = jobName;
        this.module = module;
    }

    public String jobName() {
        return jobName;
    }

    public String module() {
        return module;
    }

    public static SuiteJob named(String name) {
        return Arrays.stream(values())
                .filter(job -> job.jobName.equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown job '"
                                                + name
                                                + "'; the suite's jobs are "
                                                + String.join(
                                                        ", ",
                                                        Arrays.stream(values())
                                                                .map(SuiteJob::jobName)
                                                                .toList())));
    }

    /**
     * The job's shaded jar in {@code jars}: either a directory of jars (as in an image's {@code
     * usrlib/}) or a checkout of this repository after {@code mvn package}.
     */
    public Path jarIn(Path jars) {
        for (Path dir : List.of(jars, jars.resolve(module).resolve("target"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> found =
                        files.filter(
                                        f -> {
                                            String name = f.getFileName().toString();
                                            return name.startsWith("tributary-" + jobName + "-")
                                                    && name.endsWith("-job.jar")
                                                    && name.substring(
                                                                    ("tributary-" + jobName + "-")
                                                                            .length())
                                                            .matches("[0-9][^/]*-job\\.jar");
                                        })
                                .sorted()
                                .toList();
                if (!found.isEmpty()) {
                    return found.get(found.size() - 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalArgumentException(
                "no jar of job '"
                        + jobName
                        + "' (tributary-"
                        + jobName
                        + "-<version>-job.jar) in "
                        + jars
                        + " or "
                        + jars.resolve(module).resolve("target")
                        + "; build it with mvn -B package -pl "
                        + module
                        + " -am");
    }
}
