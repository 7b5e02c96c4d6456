package io.tributary.sinks.warehouse;

import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "sinks-warehouse",
        mixinStandardHelpOptions = true,
        description =
                "Alerts, aggregates, media jobs and dead letters -> PostgreSQL tables (idempotent upserts; schema migrated by Flyway).")
public class WarehouseOptions {
    @Mixin public RuntimeOptions runtime = new RuntimeOptions();
    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--jdbc-url",
            required = true,
            description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://db:5432/tributary.")
    public String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            defaultValue = "tributary",
            description = "Database user (default: ${DEFAULT-VALUE}).")
    public String jdbcUser;

    @Option(
            names = "--jdbc-password",
            defaultValue = "${env:TRIBUTARY_JDBC_PASSWORD}",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description =
                    "Database password (default: the environment variable TRIBUTARY_JDBC_PASSWORD).")
    public String jdbcPassword;

    @Option(
            names = "--jdbc-password-file",
            paramLabel = "FILE",
            description =
                    "A file holding the database password (a mounted Secret); instead of --jdbc-password.")
    public Path jdbcPasswordFile;

    @Option(
            names = "--jdbc-ssl-mode",
            description =
                    "TLS to PostgreSQL: ${COMPLETION-CANDIDATES}. VERIFY_FULL checks the server's"
                            + " certificate and host name; when absent the URL or the driver decides"
                            + " (PREFER, which verifies nothing).")
    public DatabaseConnection.SslMode jdbcSslMode;

    @Option(
            names = "--jdbc-ssl-root-cert",
            paramLabel = "PEM",
            description = "The CA certificate(s) that sign the server's certificate, PEM.")
    public String jdbcSslRootCert;

    @Option(
            names = "--batch-size",
            defaultValue = "2000",
            description = "Rows per JDBC batch (default: ${DEFAULT-VALUE}).")
    public int batchSize;

    @Option(
            names = "--batch-interval",
            defaultValue = "1s",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Longest time a row waits for its batch (default: ${DEFAULT-VALUE}).")
    public Duration batchInterval;

    @Option(
            names = "--max-retries",
            defaultValue = "3",
            description =
                    "Attempts of a failed batch, 1 s, 2 s, ... apart, before the job restarts from its last checkpoint (default: ${DEFAULT-VALUE}).")
    public int maxRetries;

    @Option(
            names = "--skip-migrations",
            description =
                    "Do not migrate the schema at start (the database is migrated by other means).")
    public boolean skipMigrations;

    @Option(
            names = "--alerts-topic",
            defaultValue = Topics.CEP_ALERTS,
            description = "Alerts topic (default: ${DEFAULT-VALUE}).")
    public String alertsTopic;

    @Option(
            names = "--qoe-topic",
            defaultValue = Topics.AGG_QOE_MINUTE,
            description = "QoE per minute topic (default: ${DEFAULT-VALUE}).")
    public String qoeTopic;

    @Option(
            names = "--qoe-rendition-topic",
            defaultValue = Topics.AGG_QOE_RENDITION_MINUTE,
            description = "QoE per title x rendition per minute topic (default: ${DEFAULT-VALUE}).")
    public String qoeRenditionTopic;

    @Option(
            names = "--trending-topic",
            defaultValue = Topics.AGG_TRENDING_TITLES,
            description = "Trending titles topic (default: ${DEFAULT-VALUE}).")
    public String trendingTopic;

    @Option(
            names = "--sessions-topic",
            defaultValue = Topics.AGG_VIEWER_SESSIONS,
            description = "Viewer sessions topic (default: ${DEFAULT-VALUE}).")
    public String sessionsTopic;

    @Option(
            names = "--commerce-topic",
            defaultValue = Topics.AGG_COMMERCE_MINUTE,
            description = "Commerce per minute topic (default: ${DEFAULT-VALUE}).")
    public String commerceTopic;

    @Option(
            names = "--iot-topic",
            defaultValue = Topics.AGG_IOT_DEVICE_5M,
            description = "IoT per device topic (default: ${DEFAULT-VALUE}).")
    public String iotTopic;

    @Option(
            names = "--media-topics",
            split = ",",
            defaultValue = Topics.MEDIA_ALL,
            description =
                    "Media topics whose events make media_jobs: the workers' and upload service's reports and the media "
                            + "pipeline's decisions (default: ${DEFAULT-VALUE}).")
    public List<String> mediaTopics;

    @Option(
            names = "--dead-letter-topics",
            split = ",",
            defaultValue = Topics.DEAD_LETTERS_ALL,
            description = "Dead-letter topics stored in dead_letters (default: ${DEFAULT-VALUE}).")
    public List<String> deadLetterTopics;

    @Option(
            names = "--sink-dead-letter-topic",
            defaultValue = Topics.SINKS_DEAD_LETTERS,
            description = "Where records no table can take go (default: ${DEFAULT-VALUE}).")
    public String sinkDeadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-sinks-warehouse",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-sinks-warehouse",
            description =
                    "Kafka transactional id prefix of the dead-letter sink (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.direct(List.of(alertsTopic), Tables.ALERTS),
                Route.direct(List.of(qoeTopic), Tables.QOE_MINUTE),
                Route.direct(List.of(qoeRenditionTopic), Tables.QOE_RENDITION_MINUTE),
                Route.direct(List.of(trendingTopic), Tables.TRENDING_TITLES),
                Route.direct(List.of(sessionsTopic), Tables.VIEWER_SESSIONS),
                Route.direct(List.of(commerceTopic), Tables.COMMERCE_MINUTE),
                Route.direct(List.of(iotTopic), Tables.IOT_DEVICE_5M),
                Route.mediaJobs(mediaTopics),
                Route.direct(deadLetterTopics, Tables.DEAD_LETTERS));
    }

    public List<String> inputTopics() {
        List<String> topics = new ArrayList<>();
        routes().forEach(route -> topics.addAll(route.topics()));
        return topics;
    }

    /**
     * The database as the options describe it.
     *
     * @throws IllegalArgumentException when the password file cannot be read, or the password is
     *     given twice
     */
    public DatabaseConnection database() {
        String password = jdbcPassword;
        if (jdbcPasswordFile != null) {
            if (password != null
                    && !password.isEmpty()
                    && !password.equals(System.getenv(PASSWORD_VARIABLE))) {
                throw new IllegalArgumentException(
                        "Give the database password once: --jdbc-password or --jdbc-password-file.");
            }
            try {
                password = Files.readString(jdbcPasswordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "Cannot read --jdbc-password-file " + jdbcPasswordFile + ": " + e, e);
            }
        }
        return DatabaseConnection.of(jdbcUrl, jdbcUser, password, jdbcSslMode, jdbcSslRootCert);
    }

    private static final String PASSWORD_VARIABLE = "TRIBUTARY_JDBC_PASSWORD";
}
