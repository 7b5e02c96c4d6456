package io.tributary.cep.rules;

import static io.tributary.cep.rules.RuleTexts.load;
import static io.tributary.cep.rules.RuleTexts.player;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleFamilyTest {
    private static final String STALLS =
            "  - begin: stall\n    type: BUFFER_START\n%s  - followedBy: error\n    type: ERROR\n";

    @Test
    void rulesThatDifferInTheirFirstConditionOrTheirAlertShareAFamily() {
        Rule storm = rule("a", "within: 1m\n", "");
        Rule europe = rule("b", "within: 1m\n", "    where: event.region == \"eu-west\"\n");
        Rule copy = rule("c", "within: 1m\n", "");
        List<RuleFamily> families = RuleFamily.of(List.of(storm, europe, copy));
        assertThat(families)
                .singleElement()
                .satisfies(
                        family -> {
                            assertThat(family.narrowedAtStart()).isTrue();
                            assertThat(family.members()).containsExactly(storm, europe, copy);
                        });
    }

    @Test
    void anotherWindowOrALaterConditionIsAnotherPattern() {
        Rule storm = rule("a", "within: 1m\n", "");
        Rule longer = rule("b", "within: 2m\n", "");
        Rule laterCondition =
                load(
                        player(
                                        "within: 1m\n",
                                        "  - begin: stall\n    type: BUFFER_START\n  - followedBy: error\n    type: ERROR\n    where: event.region == \"eu-west\"\n")
                                .replace("id: test-rule", "id: c"));
        assertThat(RuleFamily.of(List.of(storm, longer, laterCondition))).hasSize(3);
    }

    @Test
    void whenTheFirstConditionIsNotAllThatStartsAMatchOnlyIdenticalPatternsShareAFamily() {
        String optional =
                "  - begin: stall\n    type: BUFFER_START\n    optional: true\n%s  - followedBy: error\n    type: ERROR\n";
        Rule any =
                load(
                        player("within: 1m\n", optional.formatted(""))
                                .replace("id: test-rule", "id: a"));
        Rule europe =
                load(
                        player(
                                        "within: 1m\n",
                                        optional.formatted(
                                                "    where: event.region == \"eu-west\"\n"))
                                .replace("id: test-rule", "id: b"));
        Rule copy =
                load(
                        player("within: 1m\n", optional.formatted(""))
                                .replace("id: test-rule", "id: c"));
        List<RuleFamily> families = RuleFamily.of(List.of(any, europe, copy));
        assertThat(families).hasSize(2);
        assertThat(families.get(0).narrowedAtStart()).isFalse();
        assertThat(families.get(0).members()).containsExactly(any, copy);
    }

    @Test
    void theIdNamesThePatternNotItsMembers() {
        Rule storm = rule("a", "within: 1m\n", "");
        Rule europe = rule("b", "within: 1m\n", "    where: event.region == \"eu-west\"\n");
        String id = RuleFamily.of(List.of(storm)).get(0).id();
        assertThat(RuleFamily.of(List.of(europe, storm)).get(0).id())
                .as("members added, in another order")
                .isEqualTo(id);
        assertThat(RuleFamily.of(List.of(rule("a", "within: 2m\n", ""))).get(0).id())
                .as("another window")
                .isNotEqualTo(id);
        assertThat(id).matches("cep-family-[0-9a-f]{16}");
    }

    private static Rule rule(String id, String options, String firstStepCondition) {
        return load(
                player(options, STALLS.formatted(firstStepCondition))
                        .replace("id: test-rule", "id: " + id));
    }
}
