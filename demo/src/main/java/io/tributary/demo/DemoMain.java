package io.tributary.demo;

import io.tributary.aggregations.AggregationsJob;
import io.tributary.aggregations.AggregationsJobMain;
import io.tributary.aggregations.AggregationsOptions;
import io.tributary.cep.job.CepRulesJobMain;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.ingest.IngestJobMain;
import io.tributary.ingest.IngestOptions;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.launcher.SuiteJob;
import io.tributary.media.job.MediaPipelineJobMain;
import io.tributary.media.job.MediaPipelineOptions;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.sinks.lake.LakeJobMain;
import io.tributary.sinks.lake.LakeOptions;
import io.tributary.sinks.search.IndexTemplate;
import io.tributary.sinks.search.SearchJobMain;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.search.opensearch2.OpenSearch2SearchJobMain;
import io.tributary.sinks.warehouse.WarehouseJobMain;
import io.tributary.sinks.warehouse.WarehouseMigrations;
import io.tributary.sinks.warehouse.WarehouseOptions;
import io.tributary.testkit.Repository;
import io.tributary.testkit.infra.FreePorts;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.SearchServer;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.media.WorkerSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The newcomer's demo: a real Kafka broker, schema registry and PostgreSQL (and OpenSearch with
 * {@code --search}), mixed platform traffic, and the suite's jobs (ingest, aggregations, CEP rules,
 * the media pipeline with simulated uploads and transcode workers, the warehouse, lake and search
 * sinks) as separate jobs on one embedded Flink with its web UI, or with {@code --standalone} from
 * their jars on a real standalone cluster; prints progress until stopped with Ctrl-C.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Runs real Kafka, registry and PostgreSQL, a traffic generator, and every job of the suite on an embedded Flink.")
public final class DemoMain implements Callable<Integer> {

    @Option(
            names = "--rate",
            defaultValue = "1000",
            description = "Raw records per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--duration",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Stop after this long (e.g. 2m); runs until Ctrl-C when absent.")
    Duration duration;

    @Option(
            names = "--web-ui-port",
            defaultValue = "8081",
            description =
                    "Flink web UI port; a free one is chosen when it is taken (default: ${DEFAULT-VALUE}).")
    int webUiPort;

    @Option(
            names = "--duplicates",
            defaultValue = "0.03",
            description = "Share of gateway retries (default: ${DEFAULT-VALUE}).")
    double duplicateShare;

    @Option(
            names = "--malformed",
            defaultValue = "0.02",
            description = "Share of malformed records (default: ${DEFAULT-VALUE}).")
    double malformedShare;

    @Option(
            names = "--rules",
            defaultValue = "../rules",
            description = "Rule files for the CEP job (default: ${DEFAULT-VALUE}).")
    Path rules;

    @Option(
            names = "--lake",
            defaultValue = "target/demo-lake",
            description =
                    "Where the lake job writes Parquet; kept after the demo stops, for queries (default: ${DEFAULT-VALUE}).")
    Path lake;

    @Option(
            names = "--packages",
            defaultValue = "target/demo-packages",
            description =
                    "Where the media pipeline writes HLS and DASH manifests; kept after the demo stops (default: ${DEFAULT-VALUE}).")
    Path packages;

    @Option(
            names = "--search",
            description =
                    "Also start an OpenSearch 2 server (~0.7 GiB, ~15 s) and run the search sink.")
    boolean search;

    @Option(
            names = "--standalone",
            description =
                    "Run the jobs from their jars on a real standalone Flink cluster (JobManager and TaskManager JVMs) instead of an embedded one.")
    boolean standalone;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("demo");
        say(
                "Starting a Kafka broker (KRaft), a schema registry (Confluent API) and PostgreSQL"
                        + (search ? ", and OpenSearch" : "")
                        + "...");
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start();
                PostgresServer postgres = PostgresServer.start("demo");
                SearchServer searchServer =
                        search ? SearchServer.start(SearchServer.Engine.OPENSEARCH_2) : null) {
            CanonicalTopics topics = CanonicalTopics.DEFAULTS;
            kafka.createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
            kafka.createTopics(
                    2,
                    topics.player(),
                    topics.media(),
                    topics.commerce(),
                    topics.iot(),
                    topics.deadLetters());

            if (standalone) {
                say(
                        "Starting a standalone Flink cluster (a JobManager and a TaskManager JVM); the jobs run from their jars...");
            }
            try (DemoFlink flink =
                    standalone
                            ? StandaloneDemoCluster.start(portOrFree(webUiPort), Repository.root())
                            : DemoCluster.start(work, portOrFree(webUiPort))) {
                List<String> ingestArgs = args(kafka, registry, work, "ingest");
                IngestOptions ingest = parse(new IngestOptions(), ingestArgs);
                flink.submit(
                        SuiteJob.INGEST,
                        "tributary ingest",
                        ingestArgs,
                        ingest.runtime,
                        env -> IngestJobMain.buildOnKafka(env, ingest));

                List<String> aggregationsArgs = args(kafka, registry, work, "aggregations");
                AggregationsOptions aggregations =
                        parse(new AggregationsOptions(), aggregationsArgs);
                kafka.createTopics(2, aggregationTopics(aggregations).toArray(String[]::new));
                kafka.createTopics(2, aggregations.deadLetterTopic);
                flink.submit(
                        SuiteJob.AGGREGATIONS,
                        "tributary aggregations",
                        aggregationsArgs,
                        aggregations.runtime,
                        env -> AggregationsJobMain.buildOnKafka(env, aggregations));

                List<String> cepArgs =
                        args(
                                kafka,
                                registry,
                                work,
                                "cep-rules",
                                "--rules",
                                rules.toAbsolutePath().normalize().toString());
                CepRulesOptions cep = parse(new CepRulesOptions(), cepArgs);
                kafka.createTopics(2, cep.alertsTopic, cep.lateTopic, cep.deadLetterTopic);
                CepRulesJobMain.prepareRuleTopics(cep);
                flink.submit(
                        SuiteJob.CEP_RULES,
                        "tributary cep-rules",
                        cepArgs,
                        cep.runtime,
                        env ->
                                CepRulesJobMain.buildOnKafka(
                                        env, cep, RuleLoader.load(cep.rules).rulesOrThrow()));

                List<String> mediaArgs =
                        args(
                                kafka,
                                registry,
                                work,
                                "media",
                                "--package-path",
                                packages.toAbsolutePath().normalize().toUri().toString(),
                                "--cdn-base-url",
                                "http://cdn.localhost/packages",
                                "--upload-timeout",
                                "1m",
                                "--first-backoff",
                                "5s",
                                "--max-backoff",
                                "30s",
                                "--sla-queued",
                                "30s",
                                "--sla-running",
                                "1m");
                MediaPipelineOptions media = parse(new MediaPipelineOptions(), mediaArgs);
                kafka.createTopics(2, media.pipelineTopic, media.deadLetterTopic);
                flink.submit(
                        SuiteJob.MEDIA,
                        "tributary media pipeline",
                        mediaArgs,
                        media.runtime,
                        env -> MediaPipelineJobMain.buildOnKafka(env, media));

                kafka.createTopics(2, Topics.SINKS_DEAD_LETTERS);
                List<String> warehouseArgs =
                        args(
                                kafka,
                                registry,
                                work,
                                "warehouse",
                                "--jdbc-url",
                                postgres.jdbcUrl(),
                                "--jdbc-user",
                                PostgresServer.USER);
                WarehouseOptions warehouse = parse(new WarehouseOptions(), warehouseArgs);
                WarehouseMigrations.migrate(warehouse.jdbcUrl, warehouse.jdbcUser, null);
                flink.submit(
                        SuiteJob.SINKS_WAREHOUSE,
                        "tributary sinks: warehouse",
                        warehouseArgs,
                        warehouse.runtime,
                        env -> WarehouseJobMain.buildOnKafka(env, warehouse));

                List<String> lakeArgs =
                        args(
                                kafka,
                                registry,
                                work,
                                "lake",
                                "--lake-path",
                                lake.toAbsolutePath().normalize().toUri().toString());
                LakeOptions lakeOptions = parse(new LakeOptions(), lakeArgs);
                flink.submit(
                        SuiteJob.SINKS_LAKE,
                        "tributary sinks: lake",
                        lakeArgs,
                        lakeOptions.runtime,
                        env -> LakeJobMain.buildOnKafka(env, lakeOptions));

                if (searchServer != null) {
                    List<String> searchArgs =
                            args(
                                    kafka,
                                    registry,
                                    work,
                                    "search",
                                    "--search-url",
                                    searchServer.url(),
                                    "--index-replicas",
                                    "0");
                    SearchOptions searchOptions = parse(new SearchOptions(), searchArgs);
                    IndexTemplate.install(
                            searchServer.url(), searchOptions.indexPrefix, 0, null, null);
                    flink.submit(
                            SuiteJob.SINKS_SEARCH_OPENSEARCH2,
                            "tributary sinks: search",
                            searchArgs,
                            searchOptions.runtime,
                            env ->
                                    SearchJobMain.buildOnKafka(
                                            env, searchOptions, OpenSearch2SearchJobMain.ENGINE));
                }

                try (TrafficPump pump =
                                TrafficPump.start(kafka, rate, duplicateShare, malformedShare);
                        UploadPump uploads =
                                UploadPump.start(
                                        kafka,
                                        RegistryConnection.of(registry.url()),
                                        media.mediaTopic,
                                        3_000);
                        WorkerSimulator workers =
                                WorkerSimulator.start(
                                        kafka.bootstrapServers(),
                                        registry.url(),
                                        media.pipelineTopic,
                                        media.mediaTopic,
                                        WorkerSimulator.FailurePlan.random(0.15),
                                        new WorkerSimulator.Timing(
                                                Duration.ofSeconds(1), Duration.ofSeconds(4)));
                        OutputCounter counter =
                                OutputCounter.start(
                                        kafka.bootstrapServers(),
                                        topics,
                                        aggregationTopics(aggregations),
                                        cep.alertsTopic)) {
                    printWelcome(kafka, registry, flink.restPort(), topics);
                    printStores(postgres, searchServer);
                    Runtime.getRuntime()
                            .addShutdownHook(
                                    new Thread(
                                            () ->
                                                    say(
                                                            "Stopping; servers and temp files go with this process.")));
                    ProgressReport report = new ProgressReport(pump, counter);
                    long stopAt =
                            duration == null
                                    ? Long.MAX_VALUE
                                    : System.nanoTime() + duration.toNanos();
                    String stopped = null;
                    while (System.nanoTime() < stopAt && (stopped = flink.stoppedJob()) == null) {
                        Thread.sleep(5_000);
                        say(report.line());
                    }
                    if (stopped != null) {
                        say(
                                "A job stopped: "
                                        + stopped
                                        + "; see the web UI's exceptions tab before this process ends.");
                        return 1;
                    }
                }
            }
        } finally {
            TempDirs.delete(work);
        }
        return 0;
    }

    /** Arguments as an operator would pass them, with demo-sized checkpoints and transactions. */
    private static List<String> args(
            KafkaBroker kafka, SchemaRegistry registry, Path work, String job, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers", kafka.bootstrapServers(),
                                "--registry-url", registry.url(),
                                "--checkpoint-interval", "5s",
                                "--checkpoint-dir",
                                        work.resolve("checkpoints").resolve(job).toUri().toString(),
                                "--transaction-timeout", "5m"));
        args.addAll(List.of(more));
        return args;
    }

    private static <T> T parse(T options, List<String> args) {
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        return options;
    }

    private static List<String> aggregationTopics(AggregationsOptions options) {
        AggregationsJob.Topics topics = options.topics();
        return List.of(
                topics.qoeMinute(),
                topics.qoeRenditionMinute(),
                topics.commerceMinute(),
                topics.iotDevice5m(),
                topics.viewerSessions(),
                topics.trendingTitles(),
                topics.lateEvents());
    }

    private void printWelcome(
            KafkaBroker kafka, SchemaRegistry registry, int port, CanonicalTopics topics) {
        say("");
        say("Tributary demo is running. Open:");
        say("  Flink web UI        http://localhost:" + port);
        say("  Registry subjects   " + registry.url() + "/subjects");
        say("  Kafka bootstrap     " + kafka.bootstrapServers());
        say("  Raw topics          " + String.join(", ", Topics.list(Topics.RAW_ALL)));
        say(
                "  Canonical topics    "
                        + String.join(", ", topics.eventTopics())
                        + " (Avro, Confluent wire format)");
        say("  Dead letters        " + topics.deadLetters() + " (reason + original bytes)");
        say(
                "  Aggregates          agg.qoe-minute, agg.qoe-rendition-minute, agg.trending-titles, agg.viewer-sessions,");
        say("                      agg.commerce-minute, agg.iot-device-5m");
        say(
                "  Alerts              cep.alerts, from the rules in "
                        + rules.toAbsolutePath().normalize());
        say(
                "  Media pipeline      a title uploaded every 3 s (events.media), simulated transcode workers; decisions in");
        say(
                "                      media.pipeline, manifests in "
                        + packages.toAbsolutePath().normalize());
        say(
                "Output counts are what a read_committed consumer sees; they move with each checkpoint (5 s).");
        say("");
    }

    private void printStores(PostgresServer postgres, SearchServer searchServer) {
        say("Stored for analysts (rows appear after each checkpoint):");
        say("  PostgreSQL          " + postgres.psqlCommand());
        say("    SELECT * FROM daily_qoe_by_title ORDER BY plays DESC LIMIT 10;");
        say("    SELECT * FROM worst_cdns_by_rebuffer_ratio LIMIT 5;");
        say(
                "    SELECT title_id, rendition_id, bitrate_kbps, watch_hours, rebuffer_ratio_vs_title FROM rendition_qoe_by_published_title");
        say("      ORDER BY rebuffer_ratio_vs_title DESC NULLS LAST LIMIT 10;");
        say(
                "    SELECT rule_id, severity, alerts FROM alerts_by_rule_and_severity ORDER BY alerts DESC;");
        say(
                "    SELECT job, source_topic, reason, records, latest_message FROM dead_letters_by_reason ORDER BY records DESC LIMIT 10;");
        say("    (more in jobs/sinks/warehouse/docs/queries.md)");
        say(
                "  Parquet lake        "
                        + lake.toAbsolutePath().normalize()
                        + " (kept after the demo)");
        say("    bin/tributary lake query --lake " + lake.toAbsolutePath().normalize());
        say(
                "    bin/tributary lake query --lake "
                        + lake.toAbsolutePath().normalize()
                        + " \"SELECT player.titleId, count(*) FROM events WHERE eventType = 'PLAY' GROUP BY 1 ORDER BY 2 DESC LIMIT 5\"");
        if (searchServer != null) {
            say("  OpenSearch          " + searchServer.url());
            say(
                    "    curl '"
                            + searchServer.url()
                            + "/tributary-alerts/_search?q=severity:HIGH&sort=detectionTime:desc&size=5'");
        } else {
            say("  Search index        not started (add --search for OpenSearch)");
        }
        say("");
    }

    private static int portOrFree(int preferred) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(preferred)) {
            return preferred;
        } catch (java.io.IOException taken) {
            return FreePorts.next();
        }
    }

    static void say(String line) {
        System.out.println(line);
    }
}
