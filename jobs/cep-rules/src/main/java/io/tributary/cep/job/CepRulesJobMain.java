package io.tributary.cep.job;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetKafka;
import io.tributary.cep.ruleset.RuleSetTopic;
import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.CanonicalKafka;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flink run tributary-cep-rules-job.jar --rules rules/ --bootstrap-servers ...
 * --registry-url ...}
 *
 * <p>The rule files are read and checked here, on the client, and travel inside the job graph: a
 * rule with any problem stops the submission with every problem listed as file:line:column.
 * Exceptions leave {@code main} untouched and nothing calls {@code System.exit}.
 */
public final class CepRulesJobMain {
    private static final Logger LOG = LoggerFactory.getLogger(CepRulesJobMain.class);

    private CepRulesJobMain() {}

    public static void main(String[] args) throws Exception {
        CepRulesOptions options = JobCommandLine.parse(new CepRulesOptions(), args);
        if (options != null) {
            List<Rule> rules = RuleLoader.load(options.rules).rulesOrThrow();
            Preflight.check(options.runtime, options.kafka);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            options.runtime.configure(env);
            RuleRevision starting = RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules);
            if (!options.noRuleUpdates) {
                prepareRuleTopics(options);
                starting = newestPublished(options).orElse(starting);
            }
            buildOnKafka(env, options, starting);
            env.execute(
                    "tributary cep-rules (revision "
                            + starting.revision()
                            + ", "
                            + starting.families.size()
                            + " rule families)");
        }
    }

    /**
     * The job between the Kafka topics the options name, following the rule-set topic unless told
     * not to ({@link #prepareRuleTopics} first), starting with the rules given.
     */
    public static void buildOnKafka(
            StreamExecutionEnvironment env, CepRulesOptions options, List<Rule> rules) {
        buildOnKafka(env, options, RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules));
    }

    /**
     * @param starting the rules until a published revision takes over: the newest published set
     *     ({@link #newestPublished}) or the ones submitted
     */
    public static void buildOnKafka(
            StreamExecutionEnvironment env, CepRulesOptions options, RuleRevision starting) {
        CepRulesJob.RuleUpdates updates = null;
        if (!options.noRuleUpdates) {
            updates =
                    new CepRulesJob.RuleUpdates(
                            RuleSetKafka.source(
                                    options.kafka.connection(),
                                    options.ruleSetTopic,
                                    options.groupId + "-rule-sets",
                                    options.runtime.bounded),
                            RuleSetKafka.statusSink(
                                    options.kafka.connection(), options.ruleStatusTopic));
        }
        CepRulesJob.build(
                kafkaInput(env, options),
                starting,
                updates,
                kafkaSinks(options),
                options.stateCacheKeys,
                options.maxPartialMatches);
    }

    /** Creates the rule-set topic (compacted) and the rule-status topic when missing. */
    public static void prepareRuleTopics(CepRulesOptions options) {
        try (RuleSetTopic topic =
                new RuleSetTopic(options.kafka.connection(), options.ruleSetTopic)) {
            topic.createIfMissing(options.ruleSetTopic, true);
            topic.createIfMissing(options.ruleStatusTopic, false);
        }
    }

    /**
     * The newest rule set on the topic, judging every event until a newer one: a job submitted with
     * rules older than what analysts published since starts with theirs. The topics are created
     * when missing.
     */
    static Optional<RuleRevision> newestPublished(CepRulesOptions options) {
        try (RuleSetTopic topic =
                new RuleSetTopic(options.kafka.connection(), options.ruleSetTopic)) {
            topic.createIfMissing(options.ruleSetTopic, true);
            topic.createIfMissing(options.ruleStatusTopic, false);
            RuleSetTopic.Newest newest = topic.newest(Duration.ofSeconds(60));
            if (newest.ruleSet().isEmpty()) {
                return Optional.empty();
            }
            RuleSet published = newest.ruleSet().get();
            RuleLoader.Loaded loaded = published.load(options.ruleSetTopic + ":");
            if (!loaded.ok()) {
                LOG.warn(
                        "Rule set revision {} on {} is invalid; starting with --rules: {}",
                        published.revision(),
                        options.ruleSetTopic,
                        loaded.problems());
                return Optional.empty();
            }
            LOG.info(
                    "Starting with rule set revision {} from {} instead of --rules",
                    published.revision(),
                    options.ruleSetTopic);
            return Optional.of(
                    RuleRevision.of(published.revision(), Long.MIN_VALUE, loaded.rules()));
        }
    }

    /**
     * The canonical topics the options name: committed records, or in the low-latency profile every
     * record as ingest writes it, with the copies ingest replays after an aborted transaction
     * dropped ({@link DropReplayedEvents}).
     */
    public static CanonicalInput kafkaInput(
            StreamExecutionEnvironment env, CepRulesOptions options) {
        boolean lowLatency = options.runtime.lowLatency();
        CanonicalInput input =
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                options.kafka.connection(),
                                options.inputTopics,
                                options.groupId,
                                options.kafka.registry(),
                                CepRulesJob.JOB,
                                options.canonical.maxFutureSkew,
                                options.runtime.bounded,
                                lowLatency
                                        ? CanonicalInput.Isolation.UNCOMMITTED
                                        : CanonicalInput.Isolation.COMMITTED),
                        options.kafka.maxOutOfOrderness,
                        options.kafka.idleness);
        return lowLatency
                ? input.withEvents(DropReplayedEvents.apply(input.events(), options.replayWindow))
                : input;
    }

    /**
     * Alerts, late events and dead letters to the topics the options name; alerts without
     * transactions in the low-latency profile.
     */
    public static CepRulesJob.Sinks kafkaSinks(CepRulesOptions options) {
        var producer = options.runtime.transactionalProducer();
        // An alert's Kafka timestamp is its last event's time, like every canonical event's.
        // Low latency: visible when written, repeated after a failure under the same alertId,
        // which the warehouse and search sinks upsert by.
        Sink<Alert> alerts =
                CanonicalKafka.sink(
                        options.runtime.lowLatency()
                                ? DeliveryGuarantee.AT_LEAST_ONCE
                                : DeliveryGuarantee.EXACTLY_ONCE,
                        Alert.class,
                        options.alertsTopic,
                        new AlertKey(),
                        alert -> alert.getLastEventTime().toEpochMilli(),
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-alerts",
                        producer);
        return new CepRulesJob.Sinks(
                alerts,
                CanonicalKafka.exactlyOnceSink(
                        Envelope.class,
                        options.lateTopic,
                        new EventIdKey(),
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-late",
                        producer),
                DeadLetterSink.exactlyOnce(
                        options.kafka.connection(),
                        options.deadLetterTopic,
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-dead-letters",
                        producer));
    }

    /** Alerts keyed by rule and key: a key's alerts of one rule stay in order on one partition. */
    public static final class AlertKey implements SerializationSchema<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Alert alert) {
            return (alert.getRuleId() + "|" + alert.getKey()).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Late events keyed by event id. */
    public static final class EventIdKey implements SerializationSchema<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Envelope event) {
            return event.getEventId().getBytes(StandardCharsets.UTF_8);
        }
    }
}
