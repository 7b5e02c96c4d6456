package io.tributary.jobs.kafka;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a job reaches its Kafka cluster: the bootstrap servers and the client settings an operator
 * adds ({@code security.protocol}, SASL, TLS, timeouts), applied to every source, sink and admin
 * client the job creates.
 *
 * <p>Secrets need not be written out: a value may name them as {@code ${env:NAME}}, {@code
 * ${file:/path/to/file.properties:key}} or {@code ${dir:/mounted/secret/dir:file}}. The Kafka
 * clients resolve those where they run (on the TaskManagers, not in the job graph), through the
 * config providers this class registers when a value uses one. {@link #toString()} hides every
 * value that may hold a secret.
 */
public final class KafkaConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Settings the jobs own because exactly-once depends on them, or because an option of their own
     * sets them; an operator who sets them gets told which option to use instead.
     */
    private static final Map<String, String> OWNED_BY_THE_JOB =
            Map.ofEntries(
                    Map.entry("bootstrap.servers", "use --bootstrap-servers"),
                    Map.entry("group.id", "use the job's --group-id"),
                    Map.entry("transactional.id", "use the job's --transactional-id-prefix"),
                    Map.entry("transaction.timeout.ms", "use --transaction-timeout"),
                    Map.entry(
                            "isolation.level",
                            "the jobs read committed data only; exactly-once depends on it"),
                    Map.entry(
                            "enable.idempotence",
                            "the exactly-once sinks are transactional and need it"),
                    Map.entry("enable.auto.commit", "offsets are committed with checkpoints"),
                    Map.entry("auto.offset.reset", "a new group starts at the earliest offsets"),
                    Map.entry("key.serializer", "each sink sets its own serialization"),
                    Map.entry("value.serializer", "each sink sets its own serialization"),
                    Map.entry("key.deserializer", "each source sets its own deserialization"),
                    Map.entry("value.deserializer", "each source sets its own deserialization"));

    /** Substrings of a key whose value may be a secret, as Kafka's and Flink's own masking. */
    private static final Set<String> SECRET_KEY_PARTS =
            Set.of("password", "secret", "jaas", "token", "credential", "key", "auth");

    static final String PROVIDERS = "config.providers";

    private final String bootstrapServers;
    private final TreeMap<String, String> settings;

    private KafkaConnection(String bootstrapServers, Map<String, String> settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = new TreeMap<>(settings);
    }

    /** A cluster that needs no client settings (the embedded broker, a local PLAINTEXT one). */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return of(bootstrapServers, Map.of());
    }

    /**
     * @throws IllegalArgumentException for a setting the job owns, naming the setting and not its
     *     value
     */
    public static KafkaConnection of(String bootstrapServers, Map<String, String> settings) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are required");
        }
        for (String key : settings.keySet()) {
            String why = OWNED_BY_THE_JOB.get(key);
            if (why != null) {
                throw new IllegalArgumentException(
                        "Kafka client setting '" + key + "' cannot be set here: " + why + ".");
            }
        }
        return new KafkaConnection(bootstrapServers, settings);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The operator's settings as given (placeholders unresolved). */
    public Map<String, String> settings() {
        return java.util.Collections.unmodifiableMap(settings);
    }

    /** Bootstrap servers and the operator's settings: what a consumer or admin client needs. */
    public Properties clientProperties() {
        Properties client = new Properties();
        client.putAll(settings);
        if (!settings.containsKey(PROVIDERS) && usesPlaceholders()) {
            client.setProperty(PROVIDERS, "env,file,dir");
            client.setProperty(PROVIDERS + ".env.class", EnvironmentConfigProvider.class.getName());
            client.setProperty(
                    PROVIDERS + ".file.class",
                    "org.apache.kafka.common.config.provider.FileConfigProvider");
            client.setProperty(
                    PROVIDERS + ".dir.class",
                    "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        }
        client.setProperty("bootstrap.servers", bootstrapServers);
        return client;
    }

    /**
     * A producer's properties: the job's tuning defaults, then the operator's settings (which may
     * override tuning such as {@code compression.type}, never what the job owns).
     */
    public Properties producerProperties(Properties jobDefaults) {
        Properties producer = new Properties();
        producer.putAll(jobDefaults);
        producer.putAll(clientProperties());
        return producer;
    }

    private boolean usesPlaceholders() {
        return settings.values().stream().anyMatch(value -> value.contains("${"));
    }

    /** Whether the value of {@code key} may be a secret and must never be printed. */
    public static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return SECRET_KEY_PARTS.stream().anyMatch(lower::contains);
    }

    /** The value as it may be shown: hidden when the key may hold a secret. */
    public static String shown(String key, String value) {
        return isSecret(key) ? "[hidden]" : value;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Kafka ").append(bootstrapServers);
        settings.forEach(
                (key, value) ->
                        text.append(", ").append(key).append('=').append(shown(key, value)));
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KafkaConnection that
                && bootstrapServers.equals(that.bootstrapServers)
                && settings.equals(that.settings);
    }

    @Override
    public int hashCode() {
        return bootstrapServers.hashCode() * 31 + settings.hashCode();
    }
}
