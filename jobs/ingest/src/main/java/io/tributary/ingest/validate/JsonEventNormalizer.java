package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_VALUE;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_EVENT_TYPE;
import static io.tributary.schemas.DeadLetterReason.WRONG_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.jobs.validate.EnvelopeValidator;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.EventTypes;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

/**
 * Turns one JSON event, as gateways send it, into the canonical {@link Envelope}: checks required
 * fields per event type, types, enums and ranges, and normalises what has several spellings (device
 * classes, currency and country codes, money as exact minor units).
 */
public final class JsonEventNormalizer {

    private final IngestLimits limits;

    public JsonEventNormalizer(IngestLimits limits) {
        this.limits = limits;
    }

    public Envelope normalize(ObjectNode json, RecordOrigin origin) throws Rejection {
        JsonFields fields = new JsonFields(json, limits.maxStringLength());
        String eventId = fields.requiredString("eventId");
        EventType type = eventType(json);
        long eventTime = fields.requiredInstant("eventTime");
        Object payload =
                switch (EventTypes.domain(type)) {
                    case PLAYER -> player(fields, type);
                    case MEDIA -> media(fields, type);
                    case COMMERCE -> commerce(fields, type);
                    case IOT -> iot(fields);
                    case UNKNOWN -> throw Rejection.of(UNKNOWN_EVENT_TYPE, "no domain for " + type);
                };
        return Envelope.newBuilder()
                .setEventId(eventId)
                .setEventType(type)
                .setDomain(EventTypes.domain(type))
                .setEventTime(java.time.Instant.ofEpochMilli(eventTime))
                .setIngestTime(java.time.Instant.ofEpochMilli(origin.arrival()))
                .setProducer(fields.requiredString("producer"))
                .setOrigin(origin.toAvro())
                .setPayload(payload)
                .build();
    }

    private static EventType eventType(ObjectNode json) throws Rejection {
        JsonNode node = json.get("type");
        if (node == null || node.isNull()) {
            throw new Rejection(MISSING_FIELD, "type", "required field type is missing");
        }
        if (!node.isTextual()) {
            throw new Rejection(WRONG_TYPE, "type", "type must be a string such as \"play\"");
        }
        EventType type = EventTypes.fromWireName(node.textValue());
        if (type == null) {
            String shown =
                    node.textValue().length() > 40
                            ? node.textValue().substring(0, 40) + "..."
                            : node.textValue();
            throw new Rejection(UNKNOWN_EVENT_TYPE, "type", "unknown event type \"" + shown + "\"");
        }
        if (EnvelopeValidator.PIPELINE_ONLY.contains(type)) {
            throw new Rejection(
                    UNKNOWN_EVENT_TYPE,
                    "type",
                    "event type "
                            + node.textValue()
                            + " is decided by the media pipeline; raw topics may not send it");
        }
        return type;
    }

    private PlayerEvent player(JsonFields f, EventType type) throws Rejection {
        PlayerEvent.Builder event =
                PlayerEvent.newBuilder()
                        .setSessionId(f.requiredString("sessionId"))
                        .setViewerId(f.requiredString("viewerId"))
                        .setAccountId(f.requiredString("accountId"))
                        .setDeviceId(f.requiredString("deviceId"))
                        .setTitleId(f.requiredString("titleId"))
                        .setDeviceClass(deviceClass(f.requiredString("deviceClass")))
                        .setCdn(f.requiredString("cdn").toLowerCase(Locale.ROOT))
                        .setRegion(f.requiredString("region").toLowerCase(Locale.ROOT))
                        .setPositionMs(f.requiredLong("positionMs", 0, Long.MAX_VALUE))
                        .setRenditionId(f.optionalString("renditionId"))
                        .setBitrateKbps(
                                f.optionalInt("bitrateKbps", 1, EnvelopeValidator.MAX_BITRATE_KBPS))
                        .setPreviousBitrateKbps(
                                f.optionalInt(
                                        "previousBitrateKbps",
                                        1,
                                        EnvelopeValidator.MAX_BITRATE_KBPS))
                        .setBufferDurationMs(
                                f.optionalLong(
                                        "bufferDurationMs", 0, EnvelopeValidator.MAX_DURATION_MS))
                        .setStartupTimeMs(
                                f.optionalLong(
                                        "startupTimeMs", 0, EnvelopeValidator.MAX_DURATION_MS))
                        .setSeekFromMs(f.optionalLong("seekFromMs", 0, Long.MAX_VALUE))
                        .setErrorCode(f.optionalString("errorCode"))
                        .setErrorFatal(f.optionalBoolean("errorFatal"));
        return event.build();
    }

    private MediaEvent media(JsonFields f, EventType type) throws Rejection {
        MediaEvent.Builder event =
                MediaEvent.newBuilder()
                        .setMediaId(f.requiredString("mediaId"))
                        .setUploadId(f.optionalString("uploadId"))
                        .setChunkIndex(
                                f.optionalInt("chunkIndex", 0, EnvelopeValidator.MAX_CHUNKS - 1))
                        .setChunkCount(f.optionalInt("chunkCount", 1, EnvelopeValidator.MAX_CHUNKS))
                        .setChunkBytes(f.optionalLong("chunkBytes", 1, Long.MAX_VALUE))
                        .setTotalBytes(f.optionalLong("totalBytes", 1, Long.MAX_VALUE))
                        .setChecksum(checksum(f.optionalString("checksum")))
                        .setRendition(f.optionalString("rendition"))
                        .setBitrateKbps(
                                f.optionalInt("bitrateKbps", 1, EnvelopeValidator.MAX_BITRATE_KBPS))
                        .setWorkerId(f.optionalString("workerId"))
                        .setAttempt(f.optionalInt("attempt", 1, 100))
                        .setProgressPercent(f.optionalDouble("progressPercent", 0, 100))
                        .setFailureReason(f.optionalString("failureReason"))
                        .setPackagingFormat(packagingFormat(f.optionalString("packagingFormat")))
                        .setManifestUri(f.optionalString("manifestUri"))
                        .setCdnUrl(f.optionalString("cdnUrl"));
        return event.build();
    }

    private CommerceEvent commerce(JsonFields f, EventType type) throws Rejection {
        Currency currency = currency(f.requiredString("currency"));
        CommerceEvent.Builder event =
                CommerceEvent.newBuilder()
                        .setOrderId(f.requiredString("orderId"))
                        .setAccountId(f.requiredString("accountId"))
                        .setPaymentId(f.optionalString("paymentId"))
                        .setAmountMinor(minorUnits(f.requiredDecimal("amount"), currency))
                        .setCurrency(currency.getCurrencyCode())
                        .setCountry(country(f.requiredString("country")))
                        .setPaymentMethod(lowerOrNull(f.optionalString("paymentMethod")))
                        .setItemCount(f.optionalInt("itemCount", 1, 10_000))
                        .setFailureReason(f.optionalString("failureReason"));
        return event.build();
    }

    private IotTelemetry iot(JsonFields f) throws Rejection {
        return IotTelemetry.newBuilder()
                .setDeviceId(f.requiredString("deviceId"))
                .setMetric(f.requiredString("metric").toLowerCase(Locale.ROOT))
                .setValue(f.requiredFiniteDouble("value"))
                .setUnit(f.requiredString("unit").toLowerCase(Locale.ROOT))
                .setSite(f.optionalString("site"))
                .build();
    }

    private static DeviceClass deviceClass(String value) throws Rejection {
        try {
            return DeviceClass.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Rejection(
                    INVALID_VALUE,
                    "deviceClass",
                    "deviceClass must be one of tv, mobile, tablet, desktop, console, other; was \""
                            + value
                            + "\"");
        }
    }

    private static Currency currency(String code) throws Rejection {
        try {
            return Currency.getInstance(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Rejection(
                    INVALID_VALUE,
                    "currency",
                    "currency must be an ISO 4217 code such as EUR; was \"" + code + "\"");
        }
    }

    /** Codes are upper case in the canonical event; {@link EnvelopeValidator} checks them. */
    private static String country(String code) {
        return code.toUpperCase(Locale.ROOT);
    }

    /** 19.99 EUR is 1999 cents; more decimals than the currency has is an error, not rounding. */
    static long minorUnits(BigDecimal amount, Currency currency) throws Rejection {
        if (amount.signum() < 0) {
            throw new Rejection(
                    INVALID_VALUE,
                    "amount",
                    "amount must not be negative, was " + amount.toPlainString());
        }
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        try {
            return amount.movePointRight(digits).longValueExact();
        } catch (ArithmeticException e) {
            throw new Rejection(
                    INVALID_VALUE,
                    "amount",
                    "amount "
                            + amount.toPlainString()
                            + " has more than "
                            + digits
                            + " decimals for "
                            + currency.getCurrencyCode()
                            + " or is too large");
        }
    }

    /** Hex digits in lower case; {@link EnvelopeValidator} checks the form. */
    private static String checksum(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    /** HLS or DASH in upper case; {@link EnvelopeValidator} checks the value. */
    private static String packagingFormat(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private static String lowerOrNull(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
