package io.tributary.jobs.kafka;

import io.tributary.schemas.tls.TlsFailures;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * A broker's configuration, read when a job starts. It is also the job's first contact with the
 * cluster, so a wrong password, an untrusted certificate or a wrong security protocol surfaces here
 * as one clear error at submission, instead of as a job that restarts on Kafka client exceptions.
 */
public final class BrokerSettings {
    private static final int TIMEOUT_SECONDS = 60;

    private BrokerSettings() {}

    /** The configuration of one broker of the cluster. */
    public static Config read(KafkaConnection kafka) throws Exception {
        Properties admin = kafka.clientProperties();
        admin.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        admin.setProperty(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                Integer.toString(TIMEOUT_SECONDS * 1000));
        try (AdminClient client = AdminClient.create(admin)) {
            Collection<Node> nodes =
                    client.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ConfigResource broker =
                    new ConfigResource(
                            ConfigResource.Type.BROKER, nodes.iterator().next().idString());
            Map<ConfigResource, Config> configs =
                    client.describeConfigs(List.of(broker))
                            .all()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return configs.get(broker);
        } catch (ExecutionException | TimeoutException e) {
            throw unreachable(kafka, e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    static IllegalStateException unreachable(KafkaConnection kafka, Throwable cause) {
        String where = "Kafka at " + kafka.bootstrapServers();
        String protocol = kafka.settings().getOrDefault("security.protocol", "PLAINTEXT");
        String message;
        if (cause instanceof SaslAuthenticationException) {
            message =
                    where
                            + " refused the job's credentials ("
                            + cause.getMessage()
                            + "). Check the user and password in sasl.jaas.config and sasl.mechanism.";
        } else if (cause instanceof SslAuthenticationException) {
            message =
                    where
                            + " failed the TLS handshake ("
                            + TlsFailures.rootMessage(cause)
                            + "). If the broker's certificate is signed by your own CA, set"
                            + " ssl.truststore.location (and ssl.truststore.type, ssl.truststore.password)"
                            + " to a truststore that holds that CA; the broker's certificate must name the"
                            + " host in --bootstrap-servers.";
        } else if (cause instanceof TimeoutException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            message =
                    where
                            + " did not answer within "
                            + TIMEOUT_SECONDS
                            + " s using security.protocol="
                            + protocol
                            + ". Check --bootstrap-servers and that security.protocol matches the"
                            + " listener (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL).";
        } else {
            message = where + " could not be asked for its settings: " + cause;
        }
        return new IllegalStateException(message, cause);
    }
}
