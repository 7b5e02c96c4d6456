package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestJobMainTest {

    @Test
    void parsesTypedOptionsWithDefaults() {
        IngestOptions options =
                IngestJobMain.parse(
                        new String[] {
                            "--bootstrap-servers",
                            "kafka:9092",
                            "--registry-url",
                            "http://registry:8080/apis/ccompat/v7",
                            "--dedup-ttl",
                            "2h",
                            "--max-event-age",
                            "1h",
                            "--state-backend",
                            "HASHMAP",
                            "--raw-topics",
                            "a,b"
                        });

        assertThat(options.dedupTtl).isEqualTo(Duration.ofHours(2));
        assertThat(options.runtime.stateBackend).isEqualTo(RuntimeOptions.StateBackend.HASHMAP);
        assertThat(options.rawTopics).containsExactly("a", "b");
        assertThat(options.runtime.checkpointInterval).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.topics().deadLetters()).isEqualTo(Topics.INGEST_DEAD_LETTERS);
        assertThat(options.settings().limits().maxRecordBytes()).isEqualTo(65_536);
    }

    @Test
    void badOptionsFailWithTheProblemAndTheUsage() {
        assertThatThrownBy(
                        () ->
                                IngestJobMain.parse(
                                        new String[] {"--bootstrap-servers", "kafka:9092"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--registry-url")
                .hasMessageContaining("Usage: ingest");
        assertThatThrownBy(
                        () ->
                                IngestJobMain.parse(
                                        new String[] {
                                            "--bootstrap-servers",
                                            "k",
                                            "--registry-url",
                                            "r",
                                            "--dedup-ttl",
                                            "forever"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--dedup-ttl");
    }

    @Test
    void aDedupTtlShorterThanTheAcceptedEventAgeIsRefusedAtStart() {
        assertThatThrownBy(
                        () ->
                                IngestJobMain.parse(
                                        new String[] {
                                            "--bootstrap-servers",
                                            "k",
                                            "--registry-url",
                                            "r",
                                            "--dedup-ttl",
                                            "2h"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--dedup-ttl 2h is shorter than --max-event-age 24h");
        assertThat(
                        IngestJobMain.parse(
                                        new String[] {
                                            "--bootstrap-servers", "k", "--registry-url", "r"
                                        })
                                .dedupTtl)
                .isEqualTo(Duration.ofHours(25));
    }

    @Test
    void helpIsPrintedNotRun() {
        assertThat(IngestJobMain.parse(new String[] {"--help"})).isNull();
    }
}
