package io.tributary.jobs.deadletters;

import io.tributary.jobs.validate.EnvelopeValidator;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.Envelope;
import java.util.Optional;

/**
 * {@link EnvelopeValidator#forCanonicalTopics()} as a {@link RecordCheck}, for the jobs that read
 * canonical envelopes through {@link DecodeRecords}: what the ingest job would not have written
 * is dead-lettered with the reason it gives, instead of reaching a state machine or a store.
 */
public final class CanonicalEnvelopeCheck implements RecordCheck<Envelope> {
    private static final long serialVersionUID = 1L;

    private transient EnvelopeValidator validator;

    @Override
    public Optional<Violation> check(Envelope envelope) {
        if (validator == null) {
            validator = EnvelopeValidator.forCanonicalTopics();
        }
        try {
            validator.check(envelope);
            return Optional.empty();
        } catch (Rejection rejection) {
            return Optional.of(new Violation(rejection.field(), rejection.getMessage(), rejection.reason()));
        }
    }
}
