package io.tributary.jobs;

import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.registry.RegistryConnection;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Where a job finds Kafka and the schema registry, and how it reads event time from the topics: the
 * same for every job of the suite, as a picocli mixin: {@code @Mixin KafkaOptions kafka;}.
 */
public class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers.")
    public String bootstrapServers;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            converter = SettingConverter.class,
            description =
                    "A Kafka client setting for every source, sink and admin client of the job (repeatable),"
                            + " e.g. security.protocol=SASL_SSL. Name secrets instead of writing them:"
                            + " $${env:NAME}, $${file:/path/file.properties:key} or $${dir:/mounted/dir:file}."
                            + " Overrides --kafka-properties.")
    public List<Setting> kafkaProperties = new ArrayList<>();

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "A Java properties file of Kafka client settings (as --kafka-property), e.g. mounted"
                            + " from a Kubernetes Secret.")
    public Path kafkaPropertiesFile;

    @Option(
            names = "--registry-url",
            required = true,
            description = "Confluent-compatible schema registry URL.")
    public String registryUrl;

    @Option(
            names = "--registry-property",
            paramLabel = "KEY=VALUE",
            converter = SettingConverter.class,
            description =
                    "A schema registry client setting (repeatable), named as Confluent's clients name them:"
                            + " basic.auth.user.info=USER:PASSWORD or bearer.auth.token=TOKEN;"
                            + " ssl.truststore.location/password/type for a private CA;"
                            + " ssl.keystore.location/password/type and ssl.key.password for a client"
                            + " certificate. Secrets as for --kafka-property. Overrides --registry-properties.")
    public List<Setting> registryProperties = new ArrayList<>();

    @Option(
            names = "--registry-properties",
            paramLabel = "FILE",
            description =
                    "A Java properties file of schema registry settings (as --registry-property).")
    public Path registryPropertiesFile;

    @Option(
            names = "--max-out-of-orderness",
            defaultValue = "5s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Watermark delay behind the largest event time seen (default: ${DEFAULT-VALUE}).")
    public Duration maxOutOfOrderness;

    @Option(
            names = "--idleness",
            defaultValue = "30s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A source split silent this long stops holding back watermarks (default: ${DEFAULT-VALUE}).")
    public Duration idleness;

    /** One {@code KEY=VALUE} of {@code --kafka-property}. */
    public record Setting(String key, String value) {
        @Override
        public String toString() {
            return key + "=" + KafkaConnection.shown(key, value);
        }
    }

    /**
     * Splits at the first '='. Its errors never repeat the value: a mistyped setting may be a
     * password.
     */
    public static final class SettingConverter implements ITypeConverter<Setting> {
        @Override
        public Setting convert(String text) {
            int equals = text.indexOf('=');
            if (equals <= 0) {
                throw new TypeConversionException(
                        "expected KEY=VALUE (the value is not shown here, as it may be a secret)");
            }
            return new Setting(text.substring(0, equals).trim(), text.substring(equals + 1));
        }
    }

    /**
     * The cluster and the client settings: the file's, then those given one by one.
     *
     * @throws IllegalArgumentException when the file cannot be read or a setting is one the job
     *     owns
     */
    public KafkaConnection connection() {
        return connection(bootstrapServers, kafkaPropertiesFile, kafkaProperties);
    }

    /**
     * The cluster and the client settings, for tools with options of their own: the file's, then
     * those given one by one.
     */
    public static KafkaConnection connection(
            String bootstrapServers, Path propertiesFile, List<Setting> properties) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (propertiesFile != null) {
            settings.putAll(readSettings(propertiesFile));
        }
        for (Setting setting : properties) {
            settings.put(setting.key(), setting.value());
        }
        return KafkaConnection.of(bootstrapServers, settings);
    }

    /**
     * The schema registry and its client settings: the file's, then those given one by one.
     *
     * @throws IllegalArgumentException when the file cannot be read or a setting is unknown
     */
    public RegistryConnection registry() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (registryPropertiesFile != null) {
            settings.putAll(readSettings(registryPropertiesFile));
        }
        for (Setting setting : registryProperties) {
            settings.put(setting.key(), setting.value());
        }
        return RegistryConnection.of(registryUrl, settings);
    }

    private static Map<String, String> readSettings(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e, e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties
                .stringPropertyNames()
                .forEach(key -> settings.put(key, properties.getProperty(key)));
        return settings;
    }
}
