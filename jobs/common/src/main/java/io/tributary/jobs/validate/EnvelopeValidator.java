package io.tributary.jobs.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_UTF8;
import static io.tributary.schemas.DeadLetterReason.INVALID_VALUE;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_EVENT_TYPE;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.EventTypes;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.PlayerEvent;
import java.util.Collections;
import java.util.Currency;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The one definition of a canonical event. The ingest job applies it to every {@link Envelope} it
 * writes, whether it came as JSON (normalised first) or as Avro; every job that reads the canonical
 * topics applies it again, so that a record written there by anything else cannot crash them: ids
 * of a safe character set, text that is valid Unicode without control characters, finite numbers in
 * range, a payload of the event type's domain, the fields each event type needs. Event time bounds
 * are the reader's (ingest: {@code EventTimeBounds}).
 *
 * <p>The limits are documented in jobs/ingest/README.md ("What a canonical event is").
 */
public final class EnvelopeValidator {
    public static final int MAX_ID_LENGTH = 128;
    private static final String ID_SEPARATORS = "._:@+=~-";

    /**
     * Ids (event, session, order, device...): letters and digits of any script (and their combining
     * marks) with the separators {@value #ID_SEPARATORS}, starting with a letter or digit, at most
     * {@value #MAX_ID_LENGTH} characters; no spaces, quotes, slashes or control characters, so that
     * URLs, SQL, logs and file names carry them safely. Checked by a loop rather than a regular
     * expression: a Unicode character-class regex was a tenth of the ingest job's CPU.
     */
    public static boolean isId(String value) {
        if (value.isEmpty()
                || value.length() > MAX_ID_LENGTH
                        && value.codePointCount(0, value.length()) > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (c < 128) {
                byte kind = ASCII_ID_CHARS[c];
                if (kind == NOT_ID || kind == SEPARATOR && i == 0) {
                    return false;
                }
                i++;
            } else {
                if (!Character.isLetterOrDigit(c) && !(i > 0 && isMark(c))) {
                    return false;
                }
                i += Character.charCount(c);
            }
        }
        return true;
    }

    private static final byte NOT_ID = 0;
    private static final byte LETTER_OR_DIGIT = 1;
    private static final byte SEPARATOR = 2;
    private static final byte[] ASCII_ID_CHARS = new byte[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            ASCII_ID_CHARS[c] = LETTER_OR_DIGIT;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            ASCII_ID_CHARS[c] = LETTER_OR_DIGIT;
            ASCII_ID_CHARS[Character.toUpperCase(c)] = LETTER_OR_DIGIT;
        }
        for (char c : ID_SEPARATORS.toCharArray()) {
            ASCII_ID_CHARS[c] = SEPARATOR;
        }
    }

    private static boolean isMark(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    /**
     * Ids that become a path segment (media ids name the CDN origin's directories): no leading dot,
     * no {@code ..}, no separators.
     */
    public static final Pattern PATH_SEGMENT =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");

    public static final int MAX_PATH_SEGMENT_LENGTH = 128;
    public static final int MAX_BITRATE_KBPS = 200_000;
    public static final long MAX_DURATION_MS = 24L * 3600 * 1000;

    /** An upload of more chunks is refused: the media job tracks each chunk of an upload. */
    public static final int MAX_CHUNKS = 10_000;

    public static final int MAX_ITEMS = 10_000;
    public static final int MAX_ATTEMPTS = 100;

    /** Decided by the media pipeline itself; a raw topic may not claim them. */
    public static final Set<EventType> PIPELINE_ONLY =
            EnumSet.of(
                    EventType.UPLOADED,
                    EventType.UPLOAD_FAILED,
                    EventType.TRANSCODE_SLA_BREACHED,
                    EventType.TRANSCODED,
                    EventType.MEDIA_FAILED);

    public static final Set<String> RENDITIONS = Set.of("500k", "1000k", "2000k", "4000k");
    public static final Set<String> PACKAGING_FORMATS = Set.of("HLS", "DASH");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final Pattern HEX_CHECKSUM = Pattern.compile("[0-9a-fA-F]{32,128}");

    /** What the canonical topics hold at most: the ingest job's default string limit. */
    public static final int DEFAULT_MAX_STRING_LENGTH = 256;

    private final int maxStringLength;
    private final boolean pipelineTypesAllowed;

    /**
     * @param pipelineTypesAllowed whether the event types only the media pipeline decides are
     *     accepted: not from raw topics, but on the pipeline's own topic
     */
    public EnvelopeValidator(int maxStringLength, boolean pipelineTypesAllowed) {
        this.maxStringLength = maxStringLength;
        this.pipelineTypesAllowed = pipelineTypesAllowed;
    }

    /** How the jobs after ingest check what they read. */
    public static EnvelopeValidator forCanonicalTopics() {
        return new EnvelopeValidator(DEFAULT_MAX_STRING_LENGTH, true);
    }

    public void check(Envelope envelope) throws Rejection {
        EventType type = envelope.getEventType();
        Domain domain = EventTypes.domain(type);
        if (type == EventType.UNKNOWN || domain != envelope.getDomain()) {
            throw new Rejection(
                    UNKNOWN_EVENT_TYPE,
                    "eventType",
                    "event type " + type + " does not belong to domain " + envelope.getDomain());
        }
        if (!pipelineTypesAllowed && PIPELINE_ONLY.contains(type)) {
            throw new Rejection(
                    UNKNOWN_EVENT_TYPE,
                    "eventType",
                    "event type "
                            + EventTypes.wireName(type)
                            + " is decided by the media pipeline; raw topics may not send it");
        }
        id("eventId", envelope.getEventId());
        text("producer", envelope.getProducer());
        if (envelope.getEventTime() == null
                || envelope.getIngestTime() == null
                || envelope.getOrigin() == null) {
            throw new Rejection(
                    MISSING_FIELD, "eventTime", "eventTime, ingestTime and origin are required");
        }
        SpecificRecordBase payload = as(envelope.getPayload(), PAYLOAD_TYPES.get(domain), domain);
        requiredFields(payload, type);
        switch (domain) {
            case PLAYER -> player((PlayerEvent) payload, type);
            case MEDIA -> media((MediaEvent) payload, type);
            case COMMERCE -> commerce((CommerceEvent) payload, type);
            case IOT -> iot((IotTelemetry) payload);
            case UNKNOWN -> throw Rejection.of(UNKNOWN_EVENT_TYPE, "no domain for " + type);
        }
        everyText(payload);
    }

    /**
     * The payload fields each event type needs beyond those every event of its domain has; the jobs
     * downstream read them without checking (a buffer_end's duration, a chunk's count).
     */
    public static final Map<EventType, List<String>> REQUIRED_FIELDS = requiredFields();

    private static Map<EventType, List<String>> requiredFields() {
        Map<EventType, List<String>> required = new EnumMap<>(EventType.class);
        required.put(EventType.FIRST_FRAME, List.of("startupTimeMs"));
        required.put(EventType.BUFFER_END, List.of("bufferDurationMs"));
        required.put(EventType.BITRATE_SWITCH, List.of("bitrateKbps", "previousBitrateKbps"));
        required.put(EventType.SEEK, List.of("seekFromMs"));
        required.put(EventType.ERROR, List.of("errorCode"));
        required.put(
                EventType.UPLOAD_CHUNK,
                List.of("uploadId", "chunkIndex", "chunkCount", "chunkBytes"));
        required.put(EventType.UPLOAD_COMPLETED, List.of("uploadId", "totalBytes"));
        for (EventType transcode :
                List.of(
                        EventType.TRANSCODE_REQUESTED,
                        EventType.TRANSCODE_STARTED,
                        EventType.TRANSCODE_PROGRESS,
                        EventType.TRANSCODE_COMPLETED)) {
            required.put(transcode, List.of("rendition"));
        }
        required.put(EventType.TRANSCODE_FAILED, List.of("rendition", "failureReason"));
        required.put(EventType.PACKAGED, List.of("packagingFormat", "manifestUri"));
        required.put(EventType.PUBLISHED, List.of("cdnUrl"));
        required.put(EventType.PAYMENT_ATTEMPTED, List.of("paymentId", "paymentMethod"));
        required.put(EventType.PAYMENT_SUCCEEDED, List.of("paymentId", "paymentMethod"));
        required.put(EventType.PAYMENT_FAILED, List.of("paymentId", "failureReason"));
        return Collections.unmodifiableMap(required);
    }

    private static void requiredFields(SpecificRecordBase payload, EventType type)
            throws Rejection {
        for (String field : REQUIRED_FIELDS.getOrDefault(type, List.of())) {
            if (payload.get(payload.getSchema().getField(field).pos()) == null) {
                throw new Rejection(
                        MISSING_FIELD,
                        field,
                        "required field "
                                + field
                                + " is missing (needed by "
                                + EventTypes.wireName(type)
                                + ")");
            }
        }
    }

    private static final Map<Domain, Class<? extends SpecificRecordBase>> PAYLOAD_TYPES =
            Map.of(
                    Domain.PLAYER,
                    PlayerEvent.class,
                    Domain.MEDIA,
                    MediaEvent.class,
                    Domain.COMMERCE,
                    CommerceEvent.class,
                    Domain.IOT,
                    IotTelemetry.class);

    private static SpecificRecordBase as(
            Object payload, Class<? extends SpecificRecordBase> type, Domain domain)
            throws Rejection {
        if (type == null) {
            throw Rejection.of(UNKNOWN_EVENT_TYPE, "no domain for the event type");
        }
        if (!type.isInstance(payload)) {
            throw new Rejection(
                    INVALID_VALUE,
                    "payload",
                    "a "
                            + domain
                            + " event carries a "
                            + (payload == null ? "null" : payload.getClass().getSimpleName()));
        }
        return type.cast(payload);
    }

    private void player(PlayerEvent e, EventType type) throws Rejection {
        id("sessionId", e.getSessionId());
        id("viewerId", e.getViewerId());
        id("accountId", e.getAccountId());
        id("deviceId", e.getDeviceId());
        id("titleId", e.getTitleId());
        required("deviceClass", e.getDeviceClass(), type);
        range("positionMs", e.getPositionMs(), 0, Long.MAX_VALUE);
        range("bitrateKbps", e.getBitrateKbps(), 1, MAX_BITRATE_KBPS);
        range("previousBitrateKbps", e.getPreviousBitrateKbps(), 1, MAX_BITRATE_KBPS);
        range("bufferDurationMs", e.getBufferDurationMs(), 0, MAX_DURATION_MS);
        range("startupTimeMs", e.getStartupTimeMs(), 0, MAX_DURATION_MS);
        range("seekFromMs", e.getSeekFromMs(), 0, Long.MAX_VALUE);
    }

    private void media(MediaEvent e, EventType type) throws Rejection {
        pathSegment("mediaId", e.getMediaId());
        optionalId("uploadId", e.getUploadId());
        optionalId("workerId", e.getWorkerId());
        range("chunkIndex", e.getChunkIndex(), 0, MAX_CHUNKS - 1);
        range("chunkCount", e.getChunkCount(), 1, MAX_CHUNKS);
        range("chunkBytes", e.getChunkBytes(), 1, Long.MAX_VALUE);
        range("totalBytes", e.getTotalBytes(), 1, Long.MAX_VALUE);
        range("bitrateKbps", e.getBitrateKbps(), 1, MAX_BITRATE_KBPS);
        range("attempt", e.getAttempt(), 1, MAX_ATTEMPTS);
        range("waitedMs", e.getWaitedMs(), 0, Long.MAX_VALUE);
        range("durationMs", e.getDurationMs(), 0, Long.MAX_VALUE);
        if (e.getProgressPercent() != null) {
            finite("progressPercent", e.getProgressPercent(), 0, 100);
        }
        if (e.getChecksum() != null && !HEX_CHECKSUM.matcher(e.getChecksum()).matches()) {
            throw new Rejection(INVALID_VALUE, "checksum", "checksum must be 32 to 128 hex digits");
        }
        oneOf("rendition", e.getRendition(), RENDITIONS);
        oneOf("packagingFormat", e.getPackagingFormat(), PACKAGING_FORMATS);
        if (type == EventType.UPLOAD_CHUNK && e.getChunkIndex() >= e.getChunkCount()) {
            throw new Rejection(
                    INVALID_VALUE,
                    "chunkIndex",
                    "chunkIndex "
                            + e.getChunkIndex()
                            + " is not below chunkCount "
                            + e.getChunkCount());
        }
    }

    private void commerce(CommerceEvent e, EventType type) throws Rejection {
        id("orderId", e.getOrderId());
        id("accountId", e.getAccountId());
        optionalId("paymentId", e.getPaymentId());
        range("amountMinor", e.getAmountMinor(), 0, Long.MAX_VALUE);
        range("itemCount", e.getItemCount(), 1, MAX_ITEMS);
        String currency = e.getCurrency();
        if (!isCurrency(currency)) {
            throw new Rejection(
                    INVALID_VALUE,
                    "currency",
                    "currency must be an ISO 4217 code such as EUR; was \""
                            + shown(currency)
                            + "\"");
        }
        if (!COUNTRIES.contains(e.getCountry())) {
            throw new Rejection(
                    INVALID_VALUE,
                    "country",
                    "country must be an ISO 3166 alpha-2 code such as DE; was \""
                            + shown(e.getCountry())
                            + "\"");
        }
    }

    private void iot(IotTelemetry e) throws Rejection {
        id("deviceId", e.getDeviceId());
        finite("value", e.getValue(), -Double.MAX_VALUE, Double.MAX_VALUE);
    }

    private static boolean isCurrency(String code) {
        if (code == null || code.length() != 3) {
            return false;
        }
        try {
            return Currency.getInstance(code).getCurrencyCode().equals(code);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Every text of the payload, named or not above: valid Unicode (Avro would replace a lone
     * surrogate, so two distinct texts could become one), no control characters but tab and line
     * breaks (PostgreSQL refuses NUL), at most the configured length.
     */
    private void everyText(SpecificRecordBase record) throws Rejection {
        for (Schema.Field field : record.getSchema().getFields()) {
            if (record.get(field.pos()) instanceof CharSequence text) {
                text(field.name(), text.toString());
            }
        }
    }

    /**
     * One pass over the text finds what separate scans did (blank, an unpaired surrogate, a control
     * character: a tenth of the ingest parse task as four scans); the errors are still reported in
     * that order.
     */
    private void text(String field, String value) throws Rejection {
        if (value == null) {
            throw new Rejection(MISSING_FIELD, field, field + " must not be blank");
        }
        boolean blank = true;
        int surrogate = -1;
        int control = -1;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                // ASCII: whitespace is 9-13 and 28-32; control characters are below 32 and 127.
                if (blank && !Character.isWhitespace(c)) {
                    blank = false;
                }
                if ((c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r' && control < 0) {
                    control = i;
                }
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                if (blank && !Character.isWhitespace(value.codePointAt(i))) {
                    blank = false;
                }
                i++;
            } else {
                if (Character.isSurrogate(c) && surrogate < 0) {
                    surrogate = i;
                }
                if (blank && !Character.isWhitespace(c)) {
                    blank = false;
                }
                if (Character.isISOControl(c) && control < 0) {
                    control = i;
                }
            }
        }
        if (blank) {
            throw new Rejection(MISSING_FIELD, field, field + " must not be blank");
        }
        if (value.length() > maxStringLength) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " is "
                            + value.length()
                            + " characters long; at most "
                            + maxStringLength
                            + " are allowed");
        }
        if (surrogate >= 0) {
            throw unpairedSurrogate(field, surrogate);
        }
        if (control >= 0) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " holds control character U+"
                            + String.format("%04X", (int) value.charAt(control))
                            + " at "
                            + control);
        }
    }

    private static void unicode(String field, String value) throws Rejection {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw unpairedSurrogate(field, i);
            }
        }
    }

    private static Rejection unpairedSurrogate(String field, int at) {
        return new Rejection(
                INVALID_UTF8,
                field,
                field
                        + " holds an unpaired surrogate at character "
                        + at
                        + "; text must be valid Unicode");
    }

    private static void id(String field, String value) throws Rejection {
        if (value == null || value.isBlank()) {
            throw new Rejection(MISSING_FIELD, field, field + " must not be blank");
        }
        unicode(field, value);
        if (!isId(value)) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " must be 1-128 letters, digits and . _ : @ + = ~ - starting with a letter or digit; was \""
                            + shown(value)
                            + "\"");
        }
    }

    private static void optionalId(String field, String value) throws Rejection {
        if (value != null) {
            id(field, value);
        }
    }

    private static void pathSegment(String field, String value) throws Rejection {
        if (value == null || value.isBlank()) {
            throw new Rejection(MISSING_FIELD, field, field + " must not be blank");
        }
        unicode(field, value);
        if (value.length() > MAX_PATH_SEGMENT_LENGTH || !PATH_SEGMENT.matcher(value).matches()) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " names a directory of the CDN origin: 1-"
                            + MAX_PATH_SEGMENT_LENGTH
                            + " characters of A-Z a-z 0-9 _ - and single dots between them; was \""
                            + shown(value)
                            + "\"");
        }
    }

    private static void range(String field, Number value, long min, long max) throws Rejection {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void finite(String field, double value, double min, double max)
            throws Rejection {
        if (!Double.isFinite(value)) {
            throw new Rejection(INVALID_VALUE, field, field + " must be finite, was " + value);
        }
        if (value < min || value > max) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void oneOf(String field, String value, Set<String> allowed) throws Rejection {
        if (value != null && !allowed.contains(value)) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " must be one of "
                            + new java.util.TreeSet<>(allowed)
                            + "; was \""
                            + shown(value)
                            + "\"");
        }
    }

    private static void required(String field, Object value, EventType type) throws Rejection {
        if (value == null) {
            throw new Rejection(
                    MISSING_FIELD,
                    field,
                    "required field "
                            + field
                            + " is missing (needed by "
                            + EventTypes.wireName(type)
                            + ")");
        }
    }

    /**
     * A value as quoted in a message: short, so that a message stays bounded whatever the input.
     */
    public static String shown(String value) {
        return shown(value, 40);
    }

    public static String shown(String value, int max) {
        if (value == null) {
            return "null";
        }
        return value.length() <= max ? value : value.substring(0, max) + "...";
    }
}
