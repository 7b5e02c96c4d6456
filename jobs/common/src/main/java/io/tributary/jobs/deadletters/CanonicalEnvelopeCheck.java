package io.tributary.jobs.deadletters;

import io.tributary.jobs.validate.EnvelopeValidator;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link EnvelopeValidator#forCanonicalTopics()} as a {@link RecordCheck}, for the jobs that read
 * canonical envelopes through {@link DecodeRecords}: what the ingest job would not have written is
 * dead-lettered with the reason it gives, instead of reaching a state machine or a store. An event
 * time more than {@link #MAX_FUTURE_SKEW} ahead of this job's clock is refused too: its timers
 * would never fire, and its state would stay.
 */
public final class CanonicalEnvelopeCheck implements RecordCheck<Envelope> {
    private static final long serialVersionUID = 1L;
    public static final Duration MAX_FUTURE_SKEW = Duration.ofMinutes(5);

    private transient EnvelopeValidator validator;

    @Override
    public Optional<Violation> check(Envelope envelope) {
        if (validator == null) {
            validator = EnvelopeValidator.forCanonicalTopics();
        }
        try {
            validator.check(envelope);
            Instant latest = Instant.now().plus(MAX_FUTURE_SKEW);
            if (envelope.getEventTime().isAfter(latest)) {
                return Optional.of(
                        new Violation(
                                "eventTime",
                                "eventTime "
                                        + envelope.getEventTime()
                                        + " is more than "
                                        + MAX_FUTURE_SKEW
                                        + " ahead of this job's clock",
                                DeadLetterReason.TIMESTAMP_OUT_OF_RANGE));
            }
            return Optional.empty();
        } catch (Rejection rejection) {
            return Optional.of(
                    new Violation(rejection.field(), rejection.getMessage(), rejection.reason()));
        }
    }
}
