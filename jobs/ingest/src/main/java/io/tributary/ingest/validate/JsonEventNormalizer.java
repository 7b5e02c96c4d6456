package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_VALUE;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_EVENT_TYPE;
import static io.tributary.schemas.DeadLetterReason.WRONG_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
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

    Envelope normalize(JsonFields fields, RecordOrigin origin) throws Rejection {
        String eventId = fields.requiredString("eventId");
        EventType type = eventType(fields);
        long eventTime = fields.requiredInstant("eventTime");
        Object payload =
                switch (EventTypes.domain(type)) {
                    case PLAYER -> player(fields, type);
                    case MEDIA -> media(fields, type);
                    case COMMERCE -> commerce(fields, type);
                    case IOT -> iot(fields);
                    case UNKNOWN -> throw Rejection.of(UNKNOWN_EVENT_TYPE, "no domain for " + type);
                };
        Envelope envelope = new Envelope();
        envelope.setEventId(eventId);
        envelope.setEventType(type);
        envelope.setDomain(EventTypes.domain(type));
        envelope.setEventTime(java.time.Instant.ofEpochMilli(eventTime));
        envelope.setIngestTime(java.time.Instant.ofEpochMilli(origin.arrival()));
        envelope.setProducer(fields.requiredString("producer"));
        envelope.setOrigin(origin.toAvro());
        envelope.setPayload(payload);
        return envelope;
    }

    private static EventType eventType(JsonFields fields) throws Rejection {
        JsonNode node = fields.get("type");
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
        PlayerEvent event = new PlayerEvent();
        event.setSessionId(f.requiredString("sessionId"));
        event.setViewerId(f.requiredString("viewerId"));
        event.setAccountId(f.requiredString("accountId"));
        event.setDeviceId(f.requiredString("deviceId"));
        event.setTitleId(f.requiredString("titleId"));
        event.setDeviceClass(deviceClass(f.requiredString("deviceClass")));
        event.setCdn(f.requiredString("cdn").toLowerCase(Locale.ROOT));
        event.setRegion(f.requiredString("region").toLowerCase(Locale.ROOT));
        event.setPositionMs(f.requiredLong("positionMs", 0, Long.MAX_VALUE));
        event.setRenditionId(f.optionalString("renditionId"));
        event.setBitrateKbps(f.optionalInt("bitrateKbps", 1, EnvelopeValidator.MAX_BITRATE_KBPS));
        event.setPreviousBitrateKbps(
                f.optionalInt("previousBitrateKbps", 1, EnvelopeValidator.MAX_BITRATE_KBPS));
        event.setBufferDurationMs(
                f.optionalLong("bufferDurationMs", 0, EnvelopeValidator.MAX_DURATION_MS));
        event.setStartupTimeMs(
                f.optionalLong("startupTimeMs", 0, EnvelopeValidator.MAX_DURATION_MS));
        event.setSeekFromMs(f.optionalLong("seekFromMs", 0, Long.MAX_VALUE));
        event.setErrorCode(f.optionalString("errorCode"));
        event.setErrorFatal(f.optionalBoolean("errorFatal"));
        return event;
    }

    private MediaEvent media(JsonFields f, EventType type) throws Rejection {
        MediaEvent event = new MediaEvent();
        event.setMediaId(f.requiredString("mediaId"));
        event.setUploadId(f.optionalString("uploadId"));
        event.setChunkIndex(f.optionalInt("chunkIndex", 0, EnvelopeValidator.MAX_CHUNKS - 1));
        event.setChunkCount(f.optionalInt("chunkCount", 1, EnvelopeValidator.MAX_CHUNKS));
        event.setChunkBytes(f.optionalLong("chunkBytes", 1, Long.MAX_VALUE));
        event.setTotalBytes(f.optionalLong("totalBytes", 1, Long.MAX_VALUE));
        event.setChecksum(checksum(f.optionalString("checksum")));
        event.setRendition(f.optionalString("rendition"));
        event.setBitrateKbps(f.optionalInt("bitrateKbps", 1, EnvelopeValidator.MAX_BITRATE_KBPS));
        event.setWorkerId(f.optionalString("workerId"));
        event.setAttempt(f.optionalInt("attempt", 1, 100));
        event.setProgressPercent(f.optionalDouble("progressPercent", 0, 100));
        event.setFailureReason(f.optionalString("failureReason"));
        event.setPackagingFormat(packagingFormat(f.optionalString("packagingFormat")));
        event.setManifestUri(f.optionalString("manifestUri"));
        event.setCdnUrl(f.optionalString("cdnUrl"));
        return event;
    }

    private CommerceEvent commerce(JsonFields f, EventType type) throws Rejection {
        Currency currency = currency(f.requiredString("currency"));
        CommerceEvent event = new CommerceEvent();
        event.setOrderId(f.requiredString("orderId"));
        event.setAccountId(f.requiredString("accountId"));
        event.setPaymentId(f.optionalString("paymentId"));
        event.setAmountMinor(minorUnits(f.requiredDecimal("amount"), currency));
        event.setCurrency(currency.getCurrencyCode());
        event.setCountry(country(f.requiredString("country")));
        event.setPaymentMethod(lowerOrNull(f.optionalString("paymentMethod")));
        event.setItemCount(f.optionalInt("itemCount", 1, 10_000));
        event.setFailureReason(f.optionalString("failureReason"));
        return event;
    }

    private IotTelemetry iot(JsonFields f) throws Rejection {
        IotTelemetry event = new IotTelemetry();
        event.setDeviceId(f.requiredString("deviceId"));
        event.setMetric(f.requiredString("metric").toLowerCase(Locale.ROOT));
        event.setValue(f.requiredFiniteDouble("value"));
        event.setUnit(f.requiredString("unit").toLowerCase(Locale.ROOT));
        event.setSite(f.optionalString("site"));
        return event;
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
