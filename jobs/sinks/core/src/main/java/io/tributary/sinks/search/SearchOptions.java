package io.tributary.sinks.search;

import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import io.tributary.schemas.tls.PemTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "sinks-search",
        mixinStandardHelpOptions = true,
        description =
                "Alerts and the newest revision of every aggregate -> a search index (Elasticsearch 7 or OpenSearch 2, "
                        + "by the jar: tributary-sinks-search-elasticsearch7 / -opensearch2).")
public class SearchOptions {
    @Mixin public RuntimeOptions runtime = new RuntimeOptions();
    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--search-url",
            required = true,
            split = ",",
            description = "Search nodes, e.g. http://search:9200 (comma-separated).")
    public List<String> searchUrls;

    @Option(names = "--search-user", description = "User for HTTP basic authentication.")
    public String user;

    @Option(
            names = "--search-password",
            defaultValue = "${env:TRIBUTARY_SEARCH_PASSWORD}",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description =
                    "Password for HTTP basic authentication (default: the environment variable TRIBUTARY_SEARCH_PASSWORD).")
    public String password;

    @Option(
            names = "--search-password-file",
            paramLabel = "FILE",
            description =
                    "A file holding the password (a mounted Secret); instead of --search-password.")
    public Path passwordFile;

    @Option(
            names = "--search-ca",
            paramLabel = "PEM",
            description =
                    "CA certificate(s), PEM, that sign the search nodes' certificates (https:// URLs"
                            + " of a cluster with its own CA).")
    public Path caCertificates;

    @Option(
            names = "--index-prefix",
            defaultValue = "tributary-",
            description =
                    "Prefix of every index and of the index template (default: ${DEFAULT-VALUE}).")
    public String indexPrefix;

    @Option(
            names = "--index-replicas",
            defaultValue = "1",
            description = "Replicas of each index (default: ${DEFAULT-VALUE}; 0 on a single node).")
    public int indexReplicas;

    @Option(
            names = "--skip-index-template",
            description =
                    "Do not install the index template at start (it is managed by other means).")
    public boolean skipIndexTemplate;

    @Option(
            names = "--bulk-max-actions",
            defaultValue = "1000",
            description = "Documents per bulk request (default: ${DEFAULT-VALUE}).")
    public int bulkMaxActions;

    @Option(
            names = "--bulk-max-size-mb",
            defaultValue = "5",
            description = "Largest bulk request in MiB (default: ${DEFAULT-VALUE}).")
    public int bulkMaxSizeMb;

    @Option(
            names = "--bulk-interval",
            defaultValue = "1s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Longest time a document waits for its bulk request (default: ${DEFAULT-VALUE}).")
    public Duration bulkInterval;

    @Option(
            names = "--bulk-backoff-retries",
            defaultValue = "5",
            description =
                    "Retries of a rejected bulk request, with exponential backoff, before the job restarts (default: ${DEFAULT-VALUE}).")
    public int bulkBackoffRetries;

    @Option(
            names = "--bulk-backoff-delay",
            defaultValue = "500ms",
            converter = RuntimeOptions.DurationConverter.class,
            description = "First backoff delay (default: ${DEFAULT-VALUE}).")
    public Duration bulkBackoffDelay;

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
            names = "--sink-dead-letter-topic",
            defaultValue = Topics.SINKS_DEAD_LETTERS,
            description = "Where records no index can take go (default: ${DEFAULT-VALUE}).")
    public String sinkDeadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-sinks-search",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-sinks-search",
            description =
                    "Kafka transactional id prefix of the dead-letter sink (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    /** Each index and the topic that feeds it. */
    public Map<SearchIndex<?>, String> topics() {
        Map<SearchIndex<?>, String> topics = new LinkedHashMap<>();
        topics.put(SearchIndex.ALERTS, alertsTopic);
        topics.put(SearchIndex.QOE_MINUTE, qoeTopic);
        topics.put(SearchIndex.TRENDING_TITLES, trendingTopic);
        topics.put(SearchIndex.VIEWER_SESSIONS, sessionsTopic);
        topics.put(SearchIndex.COMMERCE_MINUTE, commerceTopic);
        topics.put(SearchIndex.IOT_DEVICE_5M, iotTopic);
        return topics;
    }

    /**
     * Where the search nodes are and how the job proves who it is, the CA read here (it is public)
     * and the password from its file.
     *
     * @throws IllegalArgumentException when a file cannot be read
     */
    public SearchClient.Settings client(Duration timeout) {
        String secret = password;
        if (passwordFile != null) {
            try {
                secret = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "Cannot read --search-password-file " + passwordFile + ": " + e, e);
            }
        }
        return new SearchClient.Settings(
                searchUrls,
                user,
                secret,
                timeout,
                caCertificates == null ? null : PemTrust.read(caCertificates));
    }
}
