package io.tributary.benchmarks;

import io.tributary.jobs.JobCommandLine;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.sinks.search.IndexTemplate;
import io.tributary.sinks.search.JsonDocuments;
import io.tributary.sinks.search.SearchEngine;
import io.tributary.sinks.search.SearchIndex;
import io.tributary.sinks.search.SearchJobMain;
import io.tributary.sinks.search.SearchOptions;
import io.tributary.sinks.search.elasticsearch7.Elasticsearch7SearchJobMain;
import io.tributary.sinks.search.opensearch2.OpenSearch2SearchJobMain;
import io.tributary.sinks.warehouse.Tables;
import io.tributary.sinks.warehouse.WarehouseJobMain;
import io.tributary.sinks.warehouse.WarehouseMigrations;
import io.tributary.sinks.warehouse.WarehouseOptions;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.SearchServer;
import io.tributary.testkit.infra.TempDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Rows/s into PostgreSQL (warehouse job) and documents/s into OpenSearch (search job), each next to
 * a plain loop writing the same records the same way: a JDBC batch of the same upsert on one
 * connection, and {@code _bulk} requests of the same documents. Same run, same servers. Prints the
 * figures and writes them to {@code benchmarks/results/sinks.md}.
 */
@Command(
        name = "bench-sinks",
        mixinStandardHelpOptions = true,
        description =
                "Warehouse rows/s and search documents/s, each against a plain client loop of the same records.")
public final class SinksBenchmark implements Callable<Integer> {
    private static final String QOE_TOPIC = "bench.agg.qoe-minute";
    private static final List<String> EMPTY_TOPICS =
            List.of("bench.empty", "bench.sinks.dead-letters");

    @Option(
            names = "--rows",
            defaultValue = "200000",
            description = "QoE aggregate records to write (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(
            names = "--batch-size",
            defaultValue = "2000",
            description = "JDBC batch size, job and baseline (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--bulk-actions",
            defaultValue = "1000",
            description =
                    "Documents per _bulk request, job and baseline (default: ${DEFAULT-VALUE}).")
    int bulkActions;

    @Option(
            names = "--engines",
            split = ",",
            defaultValue = "OPENSEARCH_2,ELASTICSEARCH_7",
            description =
                    "Search engines to measure, one after the other (default: ${DEFAULT-VALUE}).")
    List<SearchServer.Engine> engines;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description =
                    "Search rounds per engine, each the job and then the _bulk loop, after one unmeasured"
                            + " warm-up of both; medians reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--warehouse",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Measure the warehouse too (default: ${DEFAULT-VALUE}).")
    boolean warehouse;

    @Option(
            names = "--results",
            defaultValue = "results/sinks.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SinksBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("bench-sinks");
        List<String> table = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start()) {
            kafka.createTopics(2, QOE_TOPIC);
            kafka.createTopics(2, EMPTY_TOPICS.toArray(String[]::new));
            List<QoeMinute> records = records();
            produce(kafka, registry, records);
            System.out.printf(Locale.ROOT, "Loaded %,d QoE aggregates%n", records.size());

            if (warehouse) {
                try (PostgresServer postgres = PostgresServer.start("bench")) {
                    warehouseJob(kafka, registry, postgres, work.resolve("warm"), "warm");
                    double job =
                            warehouseJob(kafka, registry, postgres, work.resolve("job"), "job");
                    double plain = plainJdbc(postgres, records);
                    report(
                            table,
                            "warehouse job -> PostgreSQL (JDBC upsert, batch "
                                    + batchSize
                                    + ", p=2, from Kafka)",
                            job,
                            plain,
                            List.of(job));
                    report(
                            table,
                            "plain JDBC batch of the same upsert (1 connection, records in memory)",
                            plain,
                            plain,
                            List.of(plain));
                }
            }
            for (SearchServer.Engine engine : engines) {
                try (SearchServer search = SearchServer.start(engine)) {
                    searchRounds(kafka, registry, search, engine, records, work, table);
                }
            }
            write(table, records.size());
        } finally {
            TempDirs.delete(work);
        }
        return 0;
    }

    /**
     * The search job and the {@code _bulk} loop in turn, into fresh indices each time (an update of
     * an existing document costs the engine more than a first write), after a warm-up of both.
     */
    private void searchRounds(
            KafkaBroker kafka,
            SchemaRegistry registry,
            SearchServer search,
            SearchServer.Engine engine,
            List<QoeMinute> records,
            Path work,
            List<String> table)
            throws Exception {
        String name =
                engine == SearchServer.Engine.OPENSEARCH_2 ? "OpenSearch 2" : "Elasticsearch 7";
        SearchEngine flavour =
                engine == SearchServer.Engine.OPENSEARCH_2
                        ? OpenSearch2SearchJobMain.ENGINE
                        : Elasticsearch7SearchJobMain.ENGINE;
        // Each run its own consumer group (a bounded run reads from its group's committed offsets)
        // and its own indices.
        String tag = engine.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-";
        searchJob(kafka, registry, search, flavour, work.resolve(tag + "warm"), tag + "warm");
        rawBulk(search, records, tag + "warm");
        List<Double> jobs = new ArrayList<>();
        List<Double> loops = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            jobs.add(
                    searchJob(
                            kafka,
                            registry,
                            search,
                            flavour,
                            work.resolve(tag + round),
                            tag + "r" + round));
            loops.add(rawBulk(search, records, tag + "r" + round));
            System.out.printf(
                    Locale.ROOT,
                    "%s round %d: search job %,.0f documents/s, _bulk loop %,.0f documents/s%n",
                    name,
                    round,
                    jobs.get(jobs.size() - 1),
                    loops.get(loops.size() - 1));
        }
        double loop = median(loops);
        report(
                table,
                "search job -> " + name + " (bulk " + bulkActions + ", p=2, from Kafka)",
                median(jobs),
                loop,
                jobs);
        report(
                table,
                "raw _bulk loop of the same documents into " + name + " (1 client, in memory)",
                loop,
                loop,
                loops);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private List<QoeMinute> records() {
        List<QoeMinute> records = new ArrayList<>(rows);
        Instant start = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < rows; i++) {
            records.add(
                    QoeMinute.newBuilder()
                            .setWindowStart(start.plusSeconds(60L * (i / 500)))
                            .setWindowEnd(start.plusSeconds(60L * (i / 500 + 1)))
                            .setRevision(0)
                            .setTitleId("title-" + i % 500)
                            .setCdn(i % 2 == 0 ? "fastly" : "akamai")
                            .setRegion("eu-west")
                            .setDeviceClass(DeviceClass.values()[i % 6])
                            .setPlays(10 + i % 7)
                            .setPlayFailures(i % 3)
                            .setStartupTimeAvgMs(850.0 + i % 100)
                            .setStartupTimeP95Ms(1900.0)
                            .setRebufferCount(i % 4)
                            .setBufferingMs(1200L * (i % 4))
                            .setWatchTimeMs(60_000)
                            .setRebufferRatio((i % 4) * 0.02)
                            .setAvgBitrateKbps(2800.0)
                            .setBitrateSwitches(i % 2)
                            .setErrors(0)
                            .setErrorRate(0.0)
                            .setActiveSessions(12)
                            .build());
        }
        return records;
    }

    private double warehouseJob(
            KafkaBroker kafka,
            SchemaRegistry registry,
            PostgresServer postgres,
            Path work,
            String run)
            throws Exception {
        String jdbcUrl = postgres.createDatabase("job_" + run);
        WarehouseOptions options =
                JobCommandLine.parse(
                        new WarehouseOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--registry-url",
                            registry.url(),
                            "--jdbc-url",
                            jdbcUrl,
                            "--jdbc-user",
                            PostgresServer.USER,
                            "--qoe-topic",
                            QOE_TOPIC,
                            "--alerts-topic",
                            EMPTY_TOPICS.get(0),
                            "--trending-topic",
                            EMPTY_TOPICS.get(0),
                            "--sessions-topic",
                            EMPTY_TOPICS.get(0),
                            "--commerce-topic",
                            EMPTY_TOPICS.get(0),
                            "--iot-topic",
                            EMPTY_TOPICS.get(0),
                            "--media-topics",
                            EMPTY_TOPICS.get(0),
                            "--qoe-rendition-topic",
                            EMPTY_TOPICS.get(0),
                            "--dead-letter-topics",
                            EMPTY_TOPICS.get(0),
                            "--sink-dead-letter-topic",
                            EMPTY_TOPICS.get(1),
                            "--group-id",
                            "bench-warehouse-" + run,
                            "--transactional-id-prefix",
                            "bench-warehouse-" + run,
                            "--batch-size",
                            Integer.toString(batchSize),
                            "--transaction-timeout",
                            "5m",
                            "--bounded"
                        });
        WarehouseMigrations.migrate(jdbcUrl, PostgresServer.USER, null);
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        options.runtime.configure(env);
        WarehouseJobMain.buildOnKafka(env, options);
        long start = System.nanoTime();
        env.execute("bench warehouse " + run);
        double seconds = (System.nanoTime() - start) / 1e9;
        requireRows(jdbcUrl);
        return rows / seconds;
    }

    private double plainJdbc(PostgresServer postgres, List<QoeMinute> records) throws Exception {
        String jdbcUrl = postgres.createDatabase("plain");
        WarehouseMigrations.migrate(jdbcUrl, PostgresServer.USER, null);
        var binder = Tables.QOE_MINUTE.binder();
        long start = System.nanoTime();
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null);
                PreparedStatement upsert = db.prepareStatement(Tables.QOE_MINUTE.upsertSql())) {
            int inBatch = 0;
            for (QoeMinute record : records) {
                binder.accept(upsert, record);
                upsert.addBatch();
                if (++inBatch == batchSize) {
                    upsert.executeBatch();
                    inBatch = 0;
                }
            }
            upsert.executeBatch();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        requireRows(jdbcUrl);
        return records.size() / seconds;
    }

    private double searchJob(
            KafkaBroker kafka,
            SchemaRegistry registry,
            SearchServer search,
            SearchEngine flavour,
            Path work,
            String label)
            throws Exception {
        String prefix = "bench-job-" + label + "-";
        SearchOptions options =
                JobCommandLine.parse(
                        new SearchOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--registry-url",
                            registry.url(),
                            "--search-url",
                            search.url(),
                            "--index-prefix",
                            prefix,
                            "--index-replicas",
                            "0",
                            "--qoe-topic",
                            QOE_TOPIC,
                            "--alerts-topic",
                            EMPTY_TOPICS.get(0),
                            "--trending-topic",
                            EMPTY_TOPICS.get(0),
                            "--sessions-topic",
                            EMPTY_TOPICS.get(0),
                            "--commerce-topic",
                            EMPTY_TOPICS.get(0),
                            "--iot-topic",
                            EMPTY_TOPICS.get(0),
                            "--sink-dead-letter-topic",
                            EMPTY_TOPICS.get(1),
                            "--group-id",
                            "bench-search-" + label,
                            "--transactional-id-prefix",
                            "bench-search-" + label,
                            "--bulk-max-actions",
                            Integer.toString(bulkActions),
                            "--transaction-timeout",
                            "5m",
                            "--bounded"
                        });
        IndexTemplate.install(search.url(), options.indexPrefix, 0, null, null);
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        options.runtime.configure(env);
        SearchJobMain.buildOnKafka(env, options, flavour);
        long start = System.nanoTime();
        env.execute("bench search " + label);
        double seconds = (System.nanoTime() - start) / 1e9;
        requireDocuments(search, prefix + "qoe-minute");
        return rows / seconds;
    }

    private double rawBulk(SearchServer search, List<QoeMinute> records, String label)
            throws Exception {
        String prefix = "bench-raw-" + label + "-";
        IndexTemplate.install(search.url(), prefix, 0, null, null);
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        StringBuilder body = new StringBuilder();
        int inBulk = 0;
        for (QoeMinute record : records) {
            String id = SearchIndex.QOE_MINUTE.id().apply(record);
            body.append("{\"index\":{\"_index\":\"")
                    .append(prefix)
                    .append("qoe-minute\",\"_id\":\"")
                    .append(id.replace("\"", "\\\""))
                    .append("\"}}\n")
                    .append(JsonDocuments.toJson(record))
                    .append('\n');
            if (++inBulk == bulkActions) {
                bulk(http, search, body);
                body.setLength(0);
                inBulk = 0;
            }
        }
        if (inBulk > 0) {
            bulk(http, search, body);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        requireDocuments(search, prefix + "qoe-minute");
        return records.size() / seconds;
    }

    private static void bulk(HttpClient http, SearchServer search, StringBuilder body)
            throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(search.url() + "/_bulk"))
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"errors\":true")) {
            throw new IllegalStateException(
                    "_bulk failed: "
                            + response.body()
                                    .substring(0, Math.min(500, response.body().length())));
        }
    }

    private void requireRows(String jdbcUrl) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null);
                ResultSet count =
                        db.createStatement().executeQuery("SELECT count(*) FROM qoe_minute")) {
            count.next();
            if (count.getLong(1) != rows) {
                throw new IllegalStateException(
                        "qoe_minute has " + count.getLong(1) + " rows, expected " + rows);
            }
        }
    }

    private void requireDocuments(SearchServer search, String index) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(
                HttpRequest.newBuilder(URI.create(search.url() + "/" + index + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        String count =
                http.send(
                                HttpRequest.newBuilder(
                                                URI.create(search.url() + "/" + index + "/_count"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        if (!count.contains("\"count\":" + rows + ",")) {
            throw new IllegalStateException(
                    index + ": " + count + ", expected " + rows + " documents");
        }
    }

    private static void produce(KafkaBroker kafka, SchemaRegistry registry, List<QoeMinute> records)
            throws Exception {
        var serializer = ConfluentAvro.serializer(QoeMinute.class, QOE_TOPIC, registry.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (QoeMinute record : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        QOE_TOPIC, null, serializer.serialize(record))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void report(
            List<String> table, String path, double perSecond, double baseline, List<Double> runs) {
        System.out.printf(
                Locale.ROOT,
                "%-95s %,10.0f /s  (%.2f of baseline)%n",
                path,
                perSecond,
                perSecond / baseline);
        table.add(
                String.format(
                        Locale.ROOT,
                        "| %s | %,.0f | %.2f | %s |",
                        path,
                        perSecond,
                        perSecond / baseline,
                        String.join(
                                " / ",
                                runs.stream()
                                        .map(r -> String.format(Locale.ROOT, "%,.0f", r))
                                        .toList())));
    }

    private void write(List<String> table, int loaded) throws Exception {
        StringBuilder text =
                new StringBuilder()
                        .append("# Sinks throughput\n\n")
                        .append("Measured ")
                        .append(Instant.now())
                        .append(" on ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; ")
                        .append(String.format(Locale.ROOT, "%,d", loaded))
                        .append(
                                " distinct QoE aggregates (one row/document each); Kafka, the registry, PostgreSQL 15, OpenSearch 2.19 and")
                        .append(
                                " Elasticsearch 7.17 (one at a time) on the same machine. Job figures include job start, reading and decoding")
                        .append(
                                " from Kafka and the final flush; baselines write records already in memory from one thread. Search: ")
                        .append(rounds)
                        .append(
                                " rounds after a warm-up, each into fresh indices, medians. Ratio = figure / its baseline.\n\n")
                        .append(
                                "| path | rows or documents/s | ratio | runs |\n|---|---|---|---|\n");
        table.forEach(row -> text.append(row).append('\n'));
        LocalRuns.writeResults(results, text.toString());
    }
}
