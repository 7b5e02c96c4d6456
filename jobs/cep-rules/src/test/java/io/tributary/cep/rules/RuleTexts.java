package io.tributary.cep.rules;

/** Small rule files for tests: a fixed header and the part under test. */
final class RuleTexts {
    private RuleTexts() {}

    static String player(String pattern) {
        return player("within: 1m\n", pattern);
    }

    static String player(String ruleOptions, String pattern) {
        return """
                id: test-rule
                version: 1
                description: a rule under test
                severity: LOW
                owner: tests
                input: [PLAY, FIRST_FRAME, BUFFER_START, BUFFER_END, ERROR]
                key: sessionId
                """
                + ruleOptions
                + "pattern:\n"
                + pattern
                + """
                alert:
                  summary: "session ${%s.sessionId}"
                """
                        .formatted(firstStep(pattern));
    }

    private static String firstStep(String pattern) {
        String begin = pattern.substring(pattern.indexOf("begin:") + 6).strip();
        return begin.split("\\s")[0];
    }

    static Rule load(String text) {
        RuleLoader.Loaded loaded = RuleLoader.loadText("test.yaml", text);
        if (!loaded.ok()) {
            throw new AssertionError("rule does not load: " + loaded.problems());
        }
        return loaded.rules().get(0);
    }
}
