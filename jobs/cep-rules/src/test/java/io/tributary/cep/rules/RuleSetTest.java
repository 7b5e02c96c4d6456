package io.tributary.cep.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testkit.Repository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleSetTest {
    private static final Instant AT = Instant.parse("2026-12-07T20:00:00Z");

    @Test
    void theShippedRulesGoThroughTheTopicUnchanged() {
        SortedMap<String, String> files = RuleSet.readFiles(Repository.rules());
        assertThat(files).containsKey("commerce/card-testing.yaml");
        assertThat(files.keySet()).noneMatch(path -> path.contains(".fixtures"));
        RuleSet published = new RuleSet(3, AT, AT.minusSeconds(30), "analyst", files);

        RuleSet read = RuleSet.fromJson(published.toJson());

        assertThat(read).isEqualTo(published);
        assertThat(read.load("").ok()).isTrue();
        assertThat(read.load("").rules()).hasSize(files.size());
    }

    @Test
    void problemsNameTheFileUnderThePrefixGiven() {
        RuleSet set =
                new RuleSet(1, AT, null, null, new TreeMap<>(Map.of("player/bad.yaml", "id: [")));
        assertThat(set.load("rules/").problems())
                .singleElement()
                .satisfies(
                        problem -> assertThat(problem.file()).isEqualTo("rules/player/bad.yaml"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "null",
                "[]",
                "{",
                "{\"revision\": \"one\", \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": \"x\"}}",
                "{\"revision\": 1.5, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": \"x\"}}",
                "{\"revision\": -1, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": \"x\"}}",
                "{\"revision\": 1, \"files\": {\"a.yaml\": \"x\"}}",
                "{\"revision\": 1, \"effectiveAt\": \"yesterday\", \"files\": {\"a.yaml\": \"x\"}}",
                "{\"revision\": 1, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {}}",
                "{\"revision\": 1, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": [\"x\"]}",
                "{\"revision\": 1, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": 7}}",
                "{\"revision\": 99999999999999999999999, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": \"x\"}}"
            })
    void aRecordThatIsNotARuleSetIsRefusedWithAReason(String json) {
        assertThatThrownBy(() -> RuleSet.fromJson(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("Exception");
    }

    @Test
    void aDeletionMarkerIsRefusedWithAReason() {
        assertThatThrownBy(() -> RuleSet.fromJson(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no value");
    }

    /**
     * Anything anyone may write to the topic, however broken, reads as a rule set or fails with
     * IllegalArgumentException, never anything else: the job's gate refuses it and runs on.
     */
    @Test
    void randomBytesAndMangledRuleSetsOnlyEverFailWithIllegalArgument() {
        Random random = new Random(7);
        byte[] valid = new RuleSet(1, AT, AT, "a", RuleSet.readFiles(Repository.rules())).toJson();
        for (int i = 0; i < 2_000; i++) {
            byte[] value;
            if (i % 2 == 0) {
                value = new byte[random.nextInt(200)];
                random.nextBytes(value);
            } else {
                value = valid.clone();
                for (int flips = 1 + random.nextInt(5); flips > 0; flips--) {
                    value[random.nextInt(value.length)] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    value = java.util.Arrays.copyOf(value, random.nextInt(value.length));
                }
            }
            try {
                RuleSet set = RuleSet.fromJson(value);
                set.load("");
                set.rulesById("");
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void aRuleTextReadsAsDataSoCommentsAndLayoutDoNotCount() {
        String text = RuleTexts.player("  - begin: play\n    type: PLAY\n");
        String reformatted =
                "# a comment\n" + text.replace("severity: LOW", "severity:   LOW  # why");
        RuleSet a = new RuleSet(1, AT, null, null, new TreeMap<>(Map.of("r.yaml", text)));
        RuleSet b = new RuleSet(1, AT, null, null, new TreeMap<>(Map.of("r.yaml", reformatted)));
        assertThat(a.rulesById("").get("test-rule").content())
                .isEqualTo(b.rulesById("").get("test-rule").content());
        assertThat(List.copyOf(a.rulesById("").keySet())).containsExactly("test-rule");
    }
}
