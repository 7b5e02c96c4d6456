package io.tributary.jobs.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The validator checks a text in one pass; it must decide as the four separate checks it replaced,
 * in their order: blank, then too long, then an unpaired surrogate, then a control character.
 */
class EnvelopeTextPropertiesTest {
    private static final int MAX = 40;
    private final EnvelopeValidator validator = new EnvelopeValidator(MAX, false);

    @Property(tries = 3_000)
    void decidesAsTheSeparateChecks(@ForAll("texts") String text) {
        Envelope envelope = new Envelope();
        envelope.setEventId("evt-1");
        envelope.setEventType(EventType.PLAY);
        envelope.setDomain(Domain.PLAYER);
        envelope.setProducer(text);
        Rejection rejection = null;
        try {
            validator.check(envelope);
        } catch (Rejection e) {
            rejection = e;
        }
        String expected = expected(text);
        if (expected == null) {
            assertThat(rejection).isNotNull();
            assertThat(rejection.field())
                    .as("nothing to say about the producer")
                    .isNotEqualTo("producer");
        } else {
            assertThat(rejection).isNotNull();
            assertThat(rejection.field()).isEqualTo("producer");
            assertThat(rejection.reason() + ": " + rejection.getMessage()).isEqualTo(expected);
        }
    }

    /** The checks as they were, one scan each; {@code null} if the text passes them all. */
    private static String expected(String value) {
        if (value.isBlank()) {
            return DeadLetterReason.MISSING_FIELD + ": producer must not be blank";
        }
        if (value.length() > MAX) {
            return DeadLetterReason.INVALID_VALUE
                    + ": producer is "
                    + value.length()
                    + " characters long; at most "
                    + MAX
                    + " are allowed";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return DeadLetterReason.INVALID_UTF8
                        + ": producer holds an unpaired surrogate at character "
                        + i
                        + "; text must be valid Unicode";
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return DeadLetterReason.INVALID_VALUE
                        + ": producer holds control character U+"
                        + String.format("%04X", (int) c)
                        + " at "
                        + i;
            }
        }
        return null;
    }

    @Provide
    Arbitrary<String> texts() {
        // Whitespace, controls, surrogate halves and pairs, Latin and others, in any mix.
        Arbitrary<Character> interesting =
                Arbitraries.of(
                        ' ', '\t', '\n', '\r', '\u000b', '\u001c', '\u0000', '\u007f', '\u0085',
                        '\u009f', '\u00a0', '\u2003', '\u3000', '\ud800', '\udc00', '\ud83d',
                        '\ude00', 'a', 'Z', '7', '-', 'é', '日');
        return Arbitraries.oneOf(
                interesting.list().ofMaxSize(50).map(EnvelopeTextPropertiesTest::join),
                Arbitraries.strings().ofMaxLength(50));
    }

    private static String join(java.util.List<Character> chars) {
        StringBuilder text = new StringBuilder();
        chars.forEach(text::append);
        return text.toString();
    }
}
