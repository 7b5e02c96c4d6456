package io.tributary.rulescli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetStatus;
import io.tributary.cep.ruleset.RuleSetTopic;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.testkit.Repository;
import io.tributary.testkit.junit.RealKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rules publish} against a real broker: what it shows, what it refuses, what it writes, and
 * what it reports from the job's status topic.
 */
class RulesPublishTest {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final String topic = "rule-sets-" + TOPICS.incrementAndGet();
    private final String statusTopic = topic + "-status";

    @TempDir Path rules;

    private void copyShippedRules() throws IOException {
        Path shipped = Repository.rules();
        try (Stream<Path> files = Files.walk(shipped)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = rules.resolve(shipped.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    private Run publish(String... extra) {
        String[] args =
                Stream.concat(
                                Stream.of(
                                        "publish",
                                        rules.toString(),
                                        "--bootstrap-servers",
                                        KAFKA.bootstrapServers(),
                                        "--topic",
                                        topic,
                                        "--status-topic",
                                        statusTopic,
                                        "--published-by",
                                        "tester"),
                                Stream.of(extra))
                        .toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RulesCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {}

    private RuleSetTopic topic() {
        return new RuleSetTopic(KafkaConnection.plaintext(KAFKA.bootstrapServers()), topic);
    }

    private RuleSet newest() {
        try (RuleSetTopic rules = topic()) {
            return rules.newest(Duration.ofSeconds(30)).ruleSet().orElse(null);
        }
    }

    @Test
    void aDryRunShowsEveryRuleAddedAndWritesNothing() throws IOException {
        copyShippedRules();
        Run run = publish("--dry-run");
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.out)
                .contains("Nothing published on " + topic)
                .contains("+ card-testing  (added)")
                .contains("Dry run: revision 1");
        assertThat(newest()).isNull();
    }

    @Test
    void revisionsCountUpAndAnUnchangedSetIsNotPublishedAgain() throws IOException {
        copyShippedRules();
        Run first = publish("--effective-at", "2026-12-07T21:00:00Z");
        assertThat(first.exit).as(first.err).isZero();
        assertThat(first.out).contains("Published revision 1");
        RuleSet published = newest();
        assertThat(published.revision()).isEqualTo(1);
        assertThat(published.effectiveAt()).isEqualTo(Instant.parse("2026-12-07T21:00:00Z"));
        assertThat(published.publishedBy()).isEqualTo("tester");
        assertThat(published.files()).isEqualTo(RuleSet.readFiles(rules));

        Run again = publish();
        assertThat(again.exit).isZero();
        assertThat(again.out).contains("= no rule changes (9 unchanged)", "Nothing to publish.");
        assertThat(newest().revision()).isEqualTo(1);

        Path storm = rules.resolve("player/rebuffering-storm.yaml");
        Files.writeString(
                storm,
                Files.readString(storm)
                        .replace("version: 1", "version: 2")
                        .replace("severity: HIGH", "severity: CRITICAL"));
        Files.delete(rules.resolve("iot/sensor-spike.yaml"));
        Run changed = publish("--effective-in", "1m");
        assertThat(changed.exit).as(changed.err).isZero();
        assertThat(changed.out)
                .contains("~ rebuffering-storm v1 -> v2")
                .contains("- sensor-spike  (removed")
                .contains("Published revision 2");
        assertThat(newest().revision()).isEqualTo(2);
        assertThat(newest().effectiveAt()).isAfter(Instant.now().plusSeconds(30));
    }

    @Test
    void aRuleChangedUnderItsOldVersionIsRefusedAtItsVersionLine() throws IOException {
        copyShippedRules();
        assertThat(publish().exit).isZero();
        Path cardTesting = rules.resolve("commerce/card-testing.yaml");
        Files.writeString(
                cardTesting,
                Files.readString(cardTesting).replace("timesOrMore: 3", "timesOrMore: 4"));

        Run run = publish();

        assertThat(run.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(run.err)
                .contains(rules + "/commerce/card-testing.yaml:5:10: rule 'card-testing' changed")
                .contains("set version: 2")
                .contains("nothing was published");
        assertThat(newest().revision()).isEqualTo(1);
    }

    @Test
    void anInvalidRuleIsRefusedAsValidateRefusesIt() throws IOException {
        copyShippedRules();
        Path storm = rules.resolve("player/rebuffering-storm.yaml");
        Files.writeString(storm, Files.readString(storm).replace("within: ", "within: soon #"));

        Run run = publish();

        assertThat(run.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(run.err).contains(storm + ":").contains("nothing was deployed");
        assertThat(newest()).isNull();
    }

    @Test
    void waitReportsWhatTheJobSaid() throws IOException {
        copyShippedRules();
        writeStatus(
                new RuleSetStatus(
                        1,
                        true,
                        Instant.parse("2026-12-07T21:00:00Z"),
                        List.of(),
                        "cep",
                        Instant.now()));
        Run accepted = publish("--wait", "20s");
        assertThat(accepted.exit).as(accepted.err).isZero();
        assertThat(accepted.out)
                .contains("Revision 1 accepted by cep: events from 2026-12-07T21:00:00Z on");

        Files.delete(rules.resolve("iot/sensor-spike.yaml"));
        writeStatus(
                new RuleSetStatus(
                        2, false, null, List.of("iot/x.yaml:3:1: broken"), "cep", Instant.now()));
        Run refused = publish("--wait", "20s");
        assertThat(refused.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(refused.err)
                .contains("Revision 2 refused by cep", "iot/x.yaml:3:1: broken", "keeps the rules");

        Files.delete(rules.resolve("iot/sensor-flatline.yaml"));
        Run nobody = publish("--wait", "2s");
        assertThat(nobody.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(nobody.err).contains("No job reported revision 3");
    }

    @Test
    void aSecondPublisherFencesTheFirst() throws IOException {
        copyShippedRules();
        RuleSet set = new RuleSet(1, Instant.now(), Instant.now(), "a", RuleSet.readFiles(rules));
        try (RuleSetTopic first = topic();
                RuleSetTopic second = topic()) {
            first.claim();
            second.claim();
            assertThatThrownBy(() -> first.publish(set))
                    .hasMessageContaining("another publisher took the topic over");
            second.publish(set);
        }
        assertThat(newest().revision()).isEqualTo(1);
    }

    @Test
    void recordsThatAreNotRuleSetsArePassedOverWithTheirOffset() throws IOException {
        copyShippedRules();
        try (RuleSetTopic rules = topic()) {
            rules.createIfMissing(topic, true);
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(
                    new ProducerRecord<>(topic, "rule-set".getBytes(), "not json".getBytes()));
        }
        Run run = publish();
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.err).contains(topic + " offset 0 is not a rule set");
        assertThat(newest().revision()).isEqualTo(1);
    }

    private void writeStatus(RuleSetStatus status) {
        try (RuleSetTopic rules = topic()) {
            rules.createIfMissing(statusTopic, false);
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(
                    new ProducerRecord<>(
                            statusTopic,
                            String.valueOf(status.revision()).getBytes(StandardCharsets.UTF_8),
                            status.toJson()));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
