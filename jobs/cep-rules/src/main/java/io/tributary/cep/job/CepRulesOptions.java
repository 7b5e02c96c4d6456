package io.tributary.cep.job;

import io.tributary.jobs.CanonicalInputOptions;
import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Every option of the CEP rules job, typed, with its default; {@code --help} prints them. */
@Command(
        name = "cep-rules",
        mixinStandardHelpOptions = true,
        version = "tributary cep-rules 0.1.0",
        description =
                "Canonical topics -> every rule in --rules (Flink CEP, event time) -> alerts topic, exactly once.")
public class CepRulesOptions {

    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Mixin public RuntimeOptions runtime = new RuntimeOptions();

    @Mixin public CanonicalInputOptions canonical = new CanonicalInputOptions();

    @Option(
            names = "--rules",
            required = true,
            description =
                    "Directory of rule files (*.yaml, searched recursively) or one rule file, read when the job is submitted:"
                            + " the rules until one is published on --rule-set-topic (the newest published set wins at submission).")
    public Path rules;

    @Option(
            names = "--rule-set-topic",
            defaultValue = Topics.CEP_RULE_SETS,
            description =
                    "Compacted topic of rule sets published with `rules publish`; the job takes each new revision while it runs"
                            + " (default: ${DEFAULT-VALUE}).")
    public String ruleSetTopic;

    @Option(
            names = "--rule-status-topic",
            defaultValue = Topics.CEP_RULE_STATUS,
            description =
                    "Where the job reports each published revision accepted (and from which event time) or refused, with its"
                            + " problems (default: ${DEFAULT-VALUE}).")
    public String ruleStatusTopic;

    @Option(
            names = "--no-rule-updates",
            description =
                    "Run the --rules only; ignore the rule-set topic (a change then needs a savepoint and a resubmission).")
    public boolean noRuleUpdates;

    @Option(
            names = "--input-topics",
            split = ",",
            defaultValue = Topics.EVENTS_ALL,
            description = "Canonical topics to read (default: ${DEFAULT-VALUE}).")
    public List<String> inputTopics;

    @Option(
            names = "--alerts-topic",
            defaultValue = Topics.CEP_ALERTS,
            description = "Alerts topic (default: ${DEFAULT-VALUE}).")
    public String alertsTopic;

    @Option(
            names = "--late-topic",
            defaultValue = Topics.CEP_LATE_EVENTS,
            description = "Events that arrived behind the watermark (default: ${DEFAULT-VALUE}).")
    public String lateTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topics.CEP_DEAD_LETTERS,
            description =
                    "Records on the input topics that are not valid canonical events (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-cep-rules",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--state-cache-keys",
            defaultValue = "" + RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
            description =
                    "With RocksDB: how many keys per subtask keep their rule state on the heap between checkpoints"
                            + " (read once, written back at each checkpoint or when evicted); 0 reads and writes RocksDB on every access"
                            + " (default: ${DEFAULT-VALUE}).")
    public int stateCacheKeys;

    @Option(
            names = "--max-partial-matches",
            defaultValue = "" + RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES,
            description =
                    "Partial matches one key may have in progress per rule (cohort); beyond it the oldest are cut and counted"
                            + " (metric partialMatchesCut), so a flood of events for one key cannot grow state without bound (default: ${DEFAULT-VALUE}).")
    public int maxPartialMatches;

    @Option(
            names = "--replay-window",
            defaultValue = "10m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "With --profile low-latency: how long an event id is remembered, so that a copy ingest replays after an"
                            + " aborted transaction is not judged twice; at least ingest's checkpoint interval plus its recovery time"
                            + " (default: ${DEFAULT-VALUE}).")
    public Duration replayWindow;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-cep-rules",
            description =
                    "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;
}
