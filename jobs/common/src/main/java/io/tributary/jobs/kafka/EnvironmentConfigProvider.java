package io.tributary.jobs.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * Resolves {@code ${env:NAME}} in Kafka client settings from the environment of the process that
 * creates the client, so a Kubernetes Secret exposed as an environment variable never has to be
 * written into a job's arguments. (kafka-clients 3.4, which the Flink connector pins, has no
 * provider for environment variables.)
 */
public final class EnvironmentConfigProvider implements ConfigProvider {
    private final Function<String, String> environment;

    public EnvironmentConfigProvider() {
        this(System::getenv);
    }

    EnvironmentConfigProvider(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    /** Nothing to list: the environment is only read by name. */
    @Override
    public ConfigData get(String path) {
        return new ConfigData(Map.of());
    }

    /**
     * @throws ConfigException naming a variable that is not set, rather than leaving the
     *     placeholder in place to fail later as a wrong password
     */
    @Override
    public ConfigData get(String path, Set<String> keys) {
        if (path != null && !path.isEmpty()) {
            throw new ConfigException(
                    "Write environment variables as ${env:NAME}, without a path (got a path before '"
                            + String.join(",", keys)
                            + "')");
        }
        Map<String, String> values = new HashMap<>();
        for (String name : keys) {
            String value = environment.apply(name);
            if (value == null) {
                throw new ConfigException(
                        "Environment variable "
                                + name
                                + " is not set, and a Kafka client setting refers to it as ${env:"
                                + name
                                + "}");
            }
            values.put(name, value);
        }
        return new ConfigData(values);
    }

    @Override
    public void close() {}
}
