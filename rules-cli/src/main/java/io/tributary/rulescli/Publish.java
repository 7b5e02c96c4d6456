package io.tributary.rulescli;

import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleProblem;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.rules.RuleSetDiff;
import io.tributary.cep.ruleset.RuleSetStatus;
import io.tributary.cep.ruleset.RuleSetTopic;
import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rules publish rules/ --bootstrap-servers ...}: checks the rule directory as {@code
 * validate} does, shows what changes against the set on the topic, refuses a rule changed under its
 * old version, and writes the complete set as the next revision; the running CEP job takes it at
 * the effective event time without a restart.
 */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description =
                "Publish the rule files as the next revision of the rule set the running CEP job follows:"
                        + " validated, compared with the published set, written to the compacted rule-set topic.")
final class Publish implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "DIR",
            description = "The rules directory (searched recursively), e.g. rules/.")
    Path directory;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            converter = KafkaOptions.SettingConverter.class,
            description =
                    "A Kafka client setting (repeatable), as the jobs take it, e.g. security.protocol=SASL_SSL.")
    List<KafkaOptions.Setting> kafkaProperties = new ArrayList<>();

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description = "A Java properties file of Kafka client settings.")
    Path kafkaPropertiesFile;

    @Option(
            names = "--topic",
            defaultValue = Topics.CEP_RULE_SETS,
            description = "The rule-set topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--status-topic",
            defaultValue = Topics.CEP_RULE_STATUS,
            description = "Where the job reports each revision (default: ${DEFAULT-VALUE}).")
    String statusTopic;

    @ArgGroup(exclusive = true)
    When when = new When();

    static final class When {
        @Option(
                names = "--effective-at",
                paramLabel = "INSTANT",
                description =
                        "Event time from which the job judges events by the new rules, e.g. 2026-12-07T21:00:00Z.")
        Instant at;

        @Option(
                names = "--effective-in",
                paramLabel = "DURATION",
                converter = RuntimeOptions.DurationConverter.class,
                description =
                        "How far ahead of now the new rules take effect, in event time (default: 30s). Far enough that"
                                + " the job reads the revision before events of that time: a rule with a new key misses"
                                + " events the job routed before.")
        Duration in;
    }

    @Option(names = "--dry-run", description = "Validate and show the changes; publish nothing.")
    boolean dryRun;

    @Option(
            names = "--test",
            description = "Run the rules' fixtures on an embedded Flink before publishing.")
    boolean test;

    @Option(
            names = "--wait",
            arity = "0..1",
            paramLabel = "TIMEOUT",
            fallbackValue = "2m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Wait for the job to report the revision accepted or refused (default timeout: 2m).")
    Duration wait;

    @Option(
            names = "--published-by",
            description = "Who publishes, recorded in the revision (default: the user name).")
    String publishedBy = System.getProperty("user.name", "unknown");

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(directory)) {
            err.printf("%s:1:1: not a directory of rule files%n", directory);
            return RulesCli.PROBLEMS;
        }
        RuleLoader.Loaded loaded = RulesCli.load(List.of(directory));
        if (!RulesCli.report(loaded, err)) {
            return RulesCli.PROBLEMS;
        }
        if (test && !RulesCli.Test.runFixtures(loaded, out, err, false)) {
            err.println("A fixture failed; nothing was published.");
            return RulesCli.PROBLEMS;
        }
        SortedMap<String, String> files = RuleSet.readFiles(directory);
        String prefix = directory.toString().endsWith("/") ? directory.toString() : directory + "/";
        KafkaConnection kafka =
                KafkaOptions.connection(bootstrapServers, kafkaPropertiesFile, kafkaProperties);
        try (RuleSetTopic rules = new RuleSetTopic(kafka, topic)) {
            if (!dryRun) {
                // First: a publisher still writing is fenced before we read what it wrote.
                rules.claim();
            }
            RuleSetTopic.Newest newest = rules.newest(Duration.ofSeconds(30));
            newest.unreadable()
                    .forEach(
                            bad ->
                                    err.printf(
                                            "%s offset %d is not a rule set (passed over): %s%n",
                                            topic, bad.offset(), bad.reason()));
            Optional<RuleSet> running = newest.ruleSet();
            running.ifPresentOrElse(
                    set ->
                            out.printf(
                                    "Published on %s: revision %d, effective %s, by %s, %d file(s).%n",
                                    topic,
                                    set.revision(),
                                    set.effectiveAt(),
                                    set.publishedBy(),
                                    set.files().size()),
                    () ->
                            out.printf(
                                    "Nothing published on %s yet: the job runs the rules it was submitted with.%n",
                                    topic));
            Instant now = clock.instant();
            Instant effectiveAt =
                    when.at != null
                            ? when.at
                            : now.plus(when.in != null ? when.in : Duration.ofSeconds(30));
            long revision = running.map(RuleSet::revision).orElse(0L) + 1;
            RuleSet next = new RuleSet(revision, effectiveAt, now, publishedBy, files);
            RuleSetDiff diff = RuleSetDiff.between(running.orElse(null), next, prefix);
            if (!diff.refusals().isEmpty()) {
                diff.refusals().stream().map(RuleProblem::toString).forEach(err::println);
                err.printf("%d problem(s); nothing was published.%n", diff.refusals().size());
                return RulesCli.PROBLEMS;
            }
            diff.describe().forEach(out::println);
            if (running.isPresent() && diff.changesNothing()) {
                out.println("Nothing to publish.");
                return RulesCli.OK;
            }
            if (dryRun) {
                out.printf(
                        "Dry run: revision %d, effective %s, was not published.%n",
                        revision, effectiveAt);
                return RulesCli.OK;
            }
            try {
                rules.publish(next);
            } catch (IllegalStateException e) {
                err.println(e.getMessage());
                return RulesCli.PROBLEMS;
            }
            out.printf(
                    "Published revision %d to %s; the job judges events from %s on by it.%n",
                    revision, topic, effectiveAt);
            if (wait == null) {
                return RulesCli.OK;
            }
            out.printf("Waiting up to %s for the job's report on %s...%n", wait, statusTopic);
            Optional<RuleSetStatus> status = rules.awaitStatus(statusTopic, revision, wait);
            if (status.isEmpty()) {
                err.printf(
                        "No job reported revision %d within %s: is the CEP job running and following %s?%n",
                        revision, wait, topic);
                return RulesCli.PROBLEMS;
            }
            if (!status.get().accepted()) {
                err.printf("Revision %d refused by %s:%n", revision, status.get().job());
                status.get().problems().forEach(problem -> err.println("  " + problem));
                err.println("The job keeps the rules it had.");
                return RulesCli.PROBLEMS;
            }
            out.printf(
                    "Revision %d accepted by %s: events from %s on are judged by it.%n",
                    revision, status.get().job(), status.get().effectiveAt());
            status.get().problems().forEach(note -> out.println("  " + note));
            return RulesCli.OK;
        }
    }
}
