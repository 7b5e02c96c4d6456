package io.tributary.jobs.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvelopeValidatorTest {

    @Test
    void idsAreLettersAndDigitsOfAnyScriptWithAFewSeparators() {
        assertThat(EnvelopeValidator.isId("sess-6f1c2a9e-41f0-4b5e-a51b-3d0d2f1b9c77")).isTrue();
        assertThat(EnvelopeValidator.isId("Amélie-日本")).isTrue();
        assertThat(EnvelopeValidator.isId("e\u0301tude"))
                .as("a combining mark after a letter")
                .isTrue();
        assertThat(EnvelopeValidator.isId("acct:42@eu+1=a~b.c_d")).isTrue();
        assertThat(EnvelopeValidator.isId("x".repeat(128))).isTrue();

        assertThat(EnvelopeValidator.isId("")).isFalse();
        assertThat(EnvelopeValidator.isId("x".repeat(129))).isFalse();
        assertThat(EnvelopeValidator.isId("-starts-with-a-separator")).isFalse();
        assertThat(EnvelopeValidator.isId("a b")).isFalse();
        assertThat(EnvelopeValidator.isId("../etc")).isFalse();
        assertThat(EnvelopeValidator.isId("a/b")).isFalse();
        assertThat(EnvelopeValidator.isId("quote'")).isFalse();
        assertThat(EnvelopeValidator.isId("nul\u0000")).isFalse();
        assertThat(EnvelopeValidator.isId("\u0301tude")).as("a mark cannot start an id").isFalse();
    }
}
