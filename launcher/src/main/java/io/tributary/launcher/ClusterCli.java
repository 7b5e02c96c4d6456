package io.tributary.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bin/tributary cluster ...}: the suite on a Flink session cluster through its REST API.
 *
 * <pre>
 * bin/tributary cluster submit ingest --rest http://jobmanager:8081 -- --bootstrap-servers kafka:9092 ...
 * bin/tributary cluster submit-suite --rest http://jobmanager:8081 --file suite.conf --set KAFKA=kafka:9092
 * bin/tributary cluster list --rest http://jobmanager:8081
 * bin/tributary cluster stop ingest --rest http://jobmanager:8081 --savepoint-dir s3://savepoints/ingest
 * bin/tributary cluster submit ingest --from-savepoint s3://savepoints/ingest/savepoint-... -- ...
 * </pre>
 */
@Command(
        name = "tributary cluster",
        mixinStandardHelpOptions = true,
        description =
                "Submit the suite's jobs to a Flink cluster, list them, stop them with a savepoint.",
        subcommands = {
            ClusterCli.Submit.class,
            ClusterCli.SubmitSuite.class,
            ClusterCli.ListJobs.class,
            ClusterCli.Stop.class
        })
public final class ClusterCli {
    @Option(
            names = "--rest",
            defaultValue = "${env:FLINK_REST_URL:-http://localhost:8081}",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "The cluster's REST endpoint (default: $FLINK_REST_URL or ${DEFAULT-VALUE}).")
    String rest;

    @Option(
            names = "--rest-ca",
            paramLabel = "PEM",
            defaultValue = "${env:FLINK_REST_CA}",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "CA certificate(s), PEM, that sign the REST endpoint's certificate, for a cluster with"
                            + " security.ssl.rest.enabled or an HTTPS proxy in front of it (default: $FLINK_REST_CA).")
    Path restCa;

    @Option(
            names = "--rest-authorization-file",
            paramLabel = "FILE",
            defaultValue = "${env:FLINK_REST_AUTHORIZATION_FILE}",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "A file holding the Authorization header an authenticating proxy in front of the"
                            + " cluster wants, e.g. 'Bearer <token>'; or set FLINK_REST_AUTHORIZATION itself"
                            + " (default: $FLINK_REST_AUTHORIZATION_FILE).")
    Path restAuthorizationFile;

    @Option(
            names = "--jars",
            defaultValue = "${env:TRIBUTARY_JARS:-.}",
            scope = CommandLine.ScopeType.INHERIT,
            description =
                    "Where the job jars are: a directory of tributary-*-job.jar files, or this repository after mvn package (default: $TRIBUTARY_JARS, else the current directory).")
    Path jars;

    public static void main(String[] args) {
        System.exit(
                run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command; output and errors go to the given writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new ClusterCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    err.println("error: " + e.getMessage());
                    return 1;
                });
        return commandLine.execute(args);
    }

    FlinkRest cluster() {
        return new FlinkRest(rest, restCa, restAuthorization());
    }

    /** From the file, else the environment; never from an argument, which process lists show. */
    private String restAuthorization() {
        if (restAuthorizationFile != null) {
            try {
                return Files.readString(restAuthorizationFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "Cannot read --rest-authorization-file " + restAuthorizationFile + ": " + e,
                        e);
            }
        }
        return System.getenv("FLINK_REST_AUTHORIZATION");
    }

    /** Uploads a job's jar, runs it and forgets the upload; returns the job id. */
    static String submit(FlinkRest cluster, Path jar, FlinkRest.Run run) {
        String jarId = cluster.upload(jar);
        try {
            return cluster.run(jarId, run);
        } finally {
            cluster.deleteJar(jarId);
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description =
                    "Submit one job with its options (everything after -- goes to the job's main; its --help lists them).")
    static final class Submit implements Callable<Integer> {
        @ParentCommand ClusterCli parent;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(
                index = "0",
                description =
                        "The job: ingest, aggregations, cep-rules, media, sinks-warehouse, sinks-lake, sinks-search-opensearch2, sinks-search-elasticsearch7.")
        String job;

        @Parameters(index = "1..*", arity = "0..*", description = "The job's own options.")
        List<String> jobArgs = new ArrayList<>();

        @Option(names = "--parallelism", description = "Overrides the job's default parallelism.")
        Integer parallelism;

        @Option(
                names = "--from-savepoint",
                description =
                        "Restore from this savepoint (an upgrade, or a move to another cluster).")
        String savepoint;

        @Option(
                names = "--allow-non-restored-state",
                description =
                        "Restore even if some savepoint state belongs to no operator of this build.")
        boolean allowNonRestoredState;

        @Override
        public Integer call() {
            SuiteJob suiteJob = SuiteJob.named(job);
            Path jar = suiteJob.jarIn(parent.jars);
            String jobId =
                    submit(
                            parent.cluster(),
                            jar,
                            new FlinkRest.Run(
                                    jobArgs, parallelism, savepoint, allowNonRestoredState));
            spec.commandLine()
                    .getOut()
                    .println(
                            suiteJob.jobName()
                                    + " submitted as job "
                                    + jobId
                                    + " ("
                                    + jar.getFileName()
                                    + ")");
            return 0;
        }
    }

    @Command(
            name = "submit-suite",
            mixinStandardHelpOptions = true,
            description = "Submit every job a suite file lists, each with its options.")
    static final class SubmitSuite implements Callable<Integer> {
        @ParentCommand ClusterCli parent;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--file",
                required = true,
                description = "The suite file (see launcher/README.md).")
        Path file;

        @Option(
                names = "--set",
                description =
                        "NAME=value for ${NAME} in the suite file; the environment fills the rest.")
        Map<String, String> set = new HashMap<>();

        @Override
        public Integer call() {
            Map<String, String> variables = new HashMap<>(System.getenv());
            variables.putAll(set);
            List<SuiteFile.Entry> entries = SuiteFile.read(file, variables);
            FlinkRest cluster = parent.cluster();
            for (SuiteFile.Entry entry : entries) {
                Path jar = entry.job().jarIn(parent.jars);
                String jobId =
                        submit(cluster, jar, new FlinkRest.Run(entry.args(), null, null, false));
                spec.commandLine()
                        .getOut()
                        .println(entry.job().jobName() + " submitted as job " + jobId);
            }
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the cluster's jobs.")
    static final class ListJobs implements Callable<Integer> {
        @ParentCommand ClusterCli parent;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-32s  %-10s  %-20s  %s%n", "JOB ID", "STATE", "STARTED", "NAME");
            for (FlinkRest.Job job : parent.cluster().jobs()) {
                out.printf(
                        "%-32s  %-10s  %-20s  %s%n",
                        job.id(),
                        job.state(),
                        job.started().toString().substring(0, 19),
                        job.name());
            }
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description =
                    "Stop a running job with a savepoint and print where it is (submit --from-savepoint restores it).")
    static final class Stop implements Callable<Integer> {
        @ParentCommand ClusterCli parent;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(
                index = "0",
                description =
                        "Job id, or the job's name as the list shows it when exactly one running job has it.")
        String job;

        @Option(
                names = "--savepoint-dir",
                description =
                        "Where to write the savepoint (default: the cluster's state.savepoints.dir).")
        String savepointDir;

        @Option(
                names = "--drain",
                description =
                        "Fire every window and timer first: for retiring a job, not for upgrading it.")
        boolean drain;

        @Option(
                names = "--timeout",
                defaultValue = "5m",
                converter = DurationConverter.class,
                description = "How long to wait for the savepoint (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            FlinkRest cluster = parent.cluster();
            String jobId = resolve(cluster, job);
            String location = cluster.stopWithSavepoint(jobId, savepointDir, drain, timeout);
            spec.commandLine().getOut().println("stopped " + jobId + "; savepoint: " + location);
            return 0;
        }

        private static String resolve(FlinkRest cluster, String job) {
            if (job.matches("[0-9a-f]{32}")) {
                return job;
            }
            List<FlinkRest.Job> running =
                    cluster.jobs().stream()
                            .filter(j -> j.state().equals("RUNNING") && j.name().equals(job))
                            .toList();
            if (running.size() != 1) {
                throw new IllegalArgumentException(
                        running.size()
                                + " running jobs are named '"
                                + job
                                + "'; give the job id (see list)");
            }
            return running.get(0).id();
        }
    }

    /** 30s, 5m, 1h. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Duration.parse("PT" + value.toUpperCase());
        }
    }
}
