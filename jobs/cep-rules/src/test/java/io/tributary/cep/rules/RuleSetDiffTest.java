package io.tributary.cep.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RuleSetDiffTest {
    private static final Instant AT = Instant.parse("2026-12-07T20:00:00Z");

    private static String rule(String id, int version, String extra) {
        return RuleTexts.player("  - begin: play\n    type: PLAY\n" + extra)
                .replace("id: test-rule", "id: " + id)
                .replace("version: 1", "version: " + version);
    }

    private static RuleSet set(Map<String, String> files) {
        return new RuleSet(1, AT, null, null, new TreeMap<>(files));
    }

    @Test
    void addedChangedRemovedKeptAndNewKeys() {
        RuleSet running =
                set(
                        Map.of(
                                "kept.yaml", rule("kept", 1, ""),
                                "changed.yaml", rule("changed", 1, ""),
                                "removed.yaml", rule("removed", 1, "")));
        RuleSet next =
                set(
                        Map.of(
                                "kept.yaml", "# reworded comment\n" + rule("kept", 1, ""),
                                "changed.yaml",
                                        rule(
                                                "changed",
                                                2,
                                                "  - next: frame\n    type: FIRST_FRAME\n"),
                                "added.yaml",
                                        rule("added", 1, "")
                                                .replace("key: sessionId", "key: titleId")));

        RuleSetDiff diff = RuleSetDiff.between(running, next, "rules/");

        assertThat(diff.refusals()).isEmpty();
        assertThat(diff.added()).containsExactly("added");
        assertThat(diff.changed()).containsExactly("changed v1 -> v2");
        assertThat(diff.removed()).containsExactly("removed");
        assertThat(diff.unchanged()).containsExactly("kept");
        assertThat(diff.newKeyShapes()).containsExactly("PLAYER:titleId");
        assertThat(diff.describe())
                .contains("+ added  (added)", "* new key PLAYER:titleId", "= 1 unchanged");
        assertThat(diff.changesNothing()).isFalse();
    }

    @Test
    void aChangedRuleUnderItsOldVersionIsRefusedAtItsVersionLine() {
        RuleSet running = set(Map.of("r.yaml", rule("r", 3, "")));
        RuleSet next =
                set(Map.of("r.yaml", rule("r", 3, "  - next: frame\n    type: FIRST_FRAME\n")));

        RuleSetDiff diff = RuleSetDiff.between(running, next, "rules/");

        assertThat(diff.refusals())
                .singleElement()
                .satisfies(
                        problem -> {
                            assertThat(problem.file()).isEqualTo("rules/r.yaml");
                            assertThat(problem.line()).isEqualTo(2);
                            assertThat(problem.message())
                                    .contains("changed but its version is 3")
                                    .contains("set version: 4");
                        });
    }

    @Test
    void aLowerVersionIsRefusedToo() {
        RuleSet running = set(Map.of("r.yaml", rule("r", 3, "")));
        RuleSet next = set(Map.of("r.yaml", rule("r", 2, "")));
        assertThat(RuleSetDiff.between(running, next, "").refusals()).hasSize(1);
    }

    @Test
    void againstAnEmptyTopicEveryRuleIsAddedAndNoKeyIsNew() {
        RuleSetDiff diff = RuleSetDiff.between(null, set(Map.of("r.yaml", rule("r", 1, ""))), "");
        assertThat(diff.added()).containsExactly("r");
        assertThat(diff.newKeyShapes()).isEmpty();
    }

    @Test
    void theSameRulesChangeNothing() {
        RuleSet running = set(Map.of("r.yaml", rule("r", 1, "")));
        RuleSetDiff diff = RuleSetDiff.between(running, running, "");
        assertThat(diff.changesNothing()).isTrue();
        assertThat(diff.describe()).containsExactly("= no rule changes (1 unchanged)");
    }
}
