package io.tributary.testkit.traffic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Mixed, plausible platform traffic in the JSON that gateways and devices send: playback sessions
 * whose QoE depends on CDN and device (startup time, rebuffering, bitrate switches, fatal errors),
 * orders with payment attempts that sometimes fail and retry, device telemetry with noise and rare
 * spikes, and media uploads that go through the transcode ladder. A configurable share of records
 * are gateway retries (the same bytes again) or malformed.
 *
 * <p>Each activity is a short script of events; the generator interleaves many scripts, so events
 * of one session arrive in order while sessions overlap, as on a real gateway. Event times come
 * from {@code clock} with a little jitter, so streams are slightly out of order.
 */
public final class TrafficGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] CDNS = {"akamai", "fastly", "cloudfront", "edgeio"};
    private static final double[] CDN_REBUFFER_RISK = {0.04, 0.06, 0.08, 0.2};
    private static final String[] REGIONS = {
        "eu-west", "eu-central", "us-east", "us-west", "ap-south"
    };
    private static final String[] DEVICE_CLASSES = {"tv", "mobile", "tablet", "desktop", "console"};
    private static final int[] LADDER = {500, 1000, 2000, 4000};

    /** Viewers play title-0 .. title-(TITLES - 1), the low numbers most. */
    public static final int TITLES = 400;

    private static final String[] COUNTRIES = {"DE", "FR", "GB", "US", "IN", "BR", "JP"};
    private static final String[] CURRENCIES = {"EUR", "EUR", "GBP", "USD", "INR", "BRL", "JPY"};
    private static final String[] PAYMENT_METHODS = {
        "card", "paypal", "apple_pay", "google_pay", "sepa_debit"
    };
    private static final String[][] METRICS = {
        {"temperature", "celsius", "45", "3"}, {"cpu_load", "percent", "35", "10"},
        {"fan_rpm", "rpm", "2400", "150"}, {"free_memory", "megabytes", "900", "60"}
    };
    private static final int ACTIVE_SCRIPTS = 64;

    private final Random random;
    private final LongSupplier clock;
    private final double duplicateShare;
    private final double malformedShare;
    private final boolean mediaPipelines;
    private final int maxDelayMs;
    private final List<Deque<ObjectNode>> scripts = new ArrayList<>();
    private final List<GeneratedRecord> recentGood = new ArrayList<>();

    /**
     * @param duplicateShare share of records that repeat an earlier good record's bytes
     * @param malformedShare share of records that are invalid in one of the ways gateways fail
     */
    public TrafficGenerator(
            long seed, LongSupplier clock, double duplicateShare, double malformedShare) {
        this(seed, clock, duplicateShare, malformedShare, true);
    }

    /**
     * @param mediaPipelines whether to include whole scripted media pipelines (uploads to publish)
     *     on raw.media; off where the real media job and simulated workers play that part, which
     *     would refuse scripted reports of transcodes it never requested
     */
    public TrafficGenerator(
            long seed,
            LongSupplier clock,
            double duplicateShare,
            double malformedShare,
            boolean mediaPipelines) {
        this(seed, clock, duplicateShare, malformedShare, mediaPipelines, 1500);
    }

    /**
     * @param maxDelayMs the longest an event's time lies before the clock when it is generated: how
     *     late gateways deliver, and so how far events arrive out of order
     */
    public TrafficGenerator(
            long seed,
            LongSupplier clock,
            double duplicateShare,
            double malformedShare,
            boolean mediaPipelines,
            int maxDelayMs) {
        this.maxDelayMs = maxDelayMs;
        this.random = new Random(seed);
        this.clock = clock;
        this.duplicateShare = duplicateShare;
        this.malformedShare = malformedShare;
        this.mediaPipelines = mediaPipelines;
        for (int i = 0; i < ACTIVE_SCRIPTS; i++) {
            scripts.add(newScript());
        }
    }

    public static TrafficGenerator live(long seed) {
        return new TrafficGenerator(seed, System::currentTimeMillis, 0.03, 0.02);
    }

    public GeneratedRecord next() {
        double roll = random.nextDouble();
        if (roll < duplicateShare && !recentGood.isEmpty()) {
            GeneratedRecord original = recentGood.get(random.nextInt(recentGood.size()));
            return new GeneratedRecord(
                    original.topic(),
                    original.key(),
                    original.value(),
                    GeneratedRecord.Kind.DUPLICATE,
                    original.eventId());
        }
        if (roll < duplicateShare + malformedShare) {
            return malformed(random.nextInt(MalformedKind.values().length));
        }
        GeneratedRecord good = nextGood();
        if (recentGood.size() < 1024) {
            recentGood.add(good);
        } else {
            recentGood.set(random.nextInt(recentGood.size()), good);
        }
        return good;
    }

    /** The next valid event, never a duplicate or malformed record. */
    public GeneratedRecord nextGood() {
        int slot = random.nextInt(scripts.size());
        Deque<ObjectNode> script = scripts.get(slot);
        ObjectNode event = script.poll();
        if (script.isEmpty()) {
            scripts.set(slot, newScript());
        }
        String eventId = UUID.randomUUID().toString();
        ObjectNode stamped = JSON.createObjectNode();
        stamped.put("eventId", eventId);
        stamped.setAll(event);
        long jitter = maxDelayMs == 0 ? 0 : random.nextInt(maxDelayMs);
        stamped.put("eventTime", Instant.ofEpochMilli(clock.getAsLong() - jitter).toString());
        String topic = stamped.remove("_topic").asText();
        String key = stamped.remove("_key").asText();
        return new GeneratedRecord(
                topic, utf8(key), bytes(stamped), GeneratedRecord.Kind.GOOD, eventId);
    }

    /** The ways raw records go wrong in production, each with the reason the ingest job gives. */
    public enum MalformedKind {
        TRUNCATED_JSON("MALFORMED_JSON"),
        WRONG_TYPE("WRONG_TYPE"),
        MISSING_FIELD("MISSING_FIELD"),
        UNKNOWN_EVENT_TYPE("UNKNOWN_EVENT_TYPE"),
        INVALID_UTF8("INVALID_UTF8"),
        EMPTY_VALUE("EMPTY_VALUE"),
        NULL_KEY("MISSING_KEY"),
        OVERSIZED("OVERSIZED"),
        TIMESTAMP_FROM_THE_FUTURE("TIMESTAMP_OUT_OF_RANGE");

        public final String expectedReason;

        MalformedKind(String expectedReason) {
            this.expectedReason = expectedReason;
        }
    }

    public GeneratedRecord malformed(int kindIndex) {
        return malformed(MalformedKind.values()[kindIndex]);
    }

    /** A record that is bad in the given way, built from a valid event. */
    public GeneratedRecord malformed(MalformedKind kind) {
        GeneratedRecord base = nextGood();
        ObjectNode event = parse(base.value());
        byte[] key = base.key();
        byte[] value;
        switch (kind) {
            case TRUNCATED_JSON -> {
                byte[] full = base.value();
                value = java.util.Arrays.copyOf(full, full.length / 2);
            }
            case WRONG_TYPE -> {
                event.put("eventTime", true);
                value = bytes(event);
            }
            case MISSING_FIELD -> {
                event.remove("eventId");
                value = bytes(event);
            }
            case UNKNOWN_EVENT_TYPE -> {
                event.put("type", "teleport");
                value = bytes(event);
            }
            case INVALID_UTF8 -> {
                byte[] full = base.value();
                value = java.util.Arrays.copyOf(full, full.length);
                int inside = full.length / 2;
                value[inside] = (byte) 0xC3;
                value[inside + 1] = (byte) 0x28;
            }
            case EMPTY_VALUE -> value = new byte[0];
            case NULL_KEY -> {
                key = null;
                value = base.value();
            }
            case OVERSIZED -> {
                event.put("producer", "x".repeat(200 * 1024));
                value = bytes(event);
            }
            case TIMESTAMP_FROM_THE_FUTURE -> {
                event.put(
                        "eventTime",
                        Instant.ofEpochMilli(clock.getAsLong()).plusSeconds(86_400).toString());
                value = bytes(event);
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        return new GeneratedRecord(base.topic(), key, value, GeneratedRecord.Kind.MALFORMED, null);
    }

    private Deque<ObjectNode> newScript() {
        double roll = random.nextDouble();
        if (roll < 0.62) {
            return playbackSession();
        } else if (roll < 0.75) {
            return order();
        } else if (roll < 0.95) {
            return deviceTelemetry();
        }
        return mediaPipelines ? mediaUpload() : playbackSession();
    }

    private Deque<ObjectNode> playbackSession() {
        Deque<ObjectNode> script = new ArrayDeque<>();
        int cdnIndex = random.nextInt(CDNS.length);
        String deviceClass = pick(DEVICE_CLASSES);
        String accountId = "acct-" + random.nextInt(5_000);
        ObjectNode base = JSON.createObjectNode();
        base.put("sessionId", "sess-" + UUID.randomUUID());
        base.put("viewerId", accountId + "-p" + random.nextInt(4));
        base.put("accountId", accountId);
        base.put("deviceId", "dev-" + random.nextInt(20_000));
        base.put("titleId", "title-" + Math.min(random.nextInt(TITLES), random.nextInt(TITLES)));
        base.put("deviceClass", deviceClass);
        base.put("cdn", CDNS[cdnIndex]);
        base.put("region", pick(REGIONS));
        base.put("producer", "player-gw-" + (1 + random.nextInt(3)));
        base.put("_topic", Topics.RAW_PLAYER);
        base.put("_key", base.get("sessionId").asText());
        int rung = deviceClass.equals("mobile") ? 1 : 2;
        long position = 0;
        script.add(
                player(base, "play", position)
                        .put("bitrateKbps", LADDER[rung])
                        .put("renditionId", LADDER[rung] + "k"));
        if (random.nextDouble() < 0.03) {
            script.add(
                    player(base, "error", position)
                            .put("errorCode", "MANIFEST_LOAD_FAILED")
                            .put("errorFatal", true)
                            .put("renditionId", LADDER[rung] + "k"));
            return script;
        }
        long startup =
                (long) Math.exp(6.4 + 0.5 * random.nextGaussian()) + (cdnIndex == 3 ? 900 : 0);
        script.add(
                player(base, "first_frame", position)
                        .put("startupTimeMs", startup)
                        .put("bitrateKbps", LADDER[rung])
                        .put("renditionId", LADDER[rung] + "k"));
        int beats = 3 + random.nextInt(12);
        for (int i = 0; i < beats; i++) {
            position += 10_000;
            if (random.nextDouble() < CDN_REBUFFER_RISK[cdnIndex]) {
                script.add(
                        player(base, "buffer_start", position)
                                .put("bitrateKbps", LADDER[rung])
                                .put("renditionId", LADDER[rung] + "k"));
                script.add(
                        player(base, "buffer_end", position)
                                .put("bufferDurationMs", 300 + random.nextInt(4_000))
                                .put("bitrateKbps", LADDER[rung])
                                .put("renditionId", LADDER[rung] + "k"));
                if (rung > 0) {
                    script.add(
                            player(base, "bitrate_switch", position)
                                    .put("previousBitrateKbps", LADDER[rung])
                                    .put("bitrateKbps", LADDER[rung - 1])
                                    .put("renditionId", LADDER[rung - 1] + "k"));
                    rung--;
                }
            } else if (rung < LADDER.length - 1 && random.nextDouble() < 0.15) {
                script.add(
                        player(base, "bitrate_switch", position)
                                .put("previousBitrateKbps", LADDER[rung])
                                .put("bitrateKbps", LADDER[rung + 1])
                                .put("renditionId", LADDER[rung + 1] + "k"));
                rung++;
            }
            double action = random.nextDouble();
            if (action < 0.05) {
                script.add(player(base, "pause", position));
            } else if (action < 0.08) {
                long target = position + 60_000;
                script.add(player(base, "seek", target).put("seekFromMs", position));
                position = target;
            }
            script.add(
                    player(base, "heartbeat", position)
                            .put("bitrateKbps", LADDER[rung])
                            .put("renditionId", LADDER[rung] + "k"));
        }
        if (random.nextDouble() < 0.02) {
            script.add(
                    player(base, "error", position)
                            .put("errorCode", "DECODER_ERROR")
                            .put("errorFatal", true)
                            .put("renditionId", LADDER[rung] + "k"));
        }
        return script;
    }

    private ObjectNode player(ObjectNode base, String type, long positionMs) {
        ObjectNode event = base.deepCopy();
        event.put("type", type);
        event.put("positionMs", positionMs);
        return event;
    }

    private Deque<ObjectNode> order() {
        Deque<ObjectNode> script = new ArrayDeque<>();
        int market = random.nextInt(COUNTRIES.length);
        ObjectNode base = JSON.createObjectNode();
        base.put("orderId", "ord-" + UUID.randomUUID());
        base.put("accountId", "acct-" + random.nextInt(5_000));
        base.put("country", COUNTRIES[market]);
        base.put("currency", CURRENCIES[market]);
        String amount =
                CURRENCIES[market].equals("JPY")
                        ? Integer.toString(500 + random.nextInt(5_000))
                        : String.format(java.util.Locale.ROOT, "%.2f", 4.99 + random.nextInt(60));
        base.put("amount", amount);
        base.put("producer", "checkout-svc");
        base.put("_topic", Topics.RAW_COMMERCE);
        base.put("_key", base.get("orderId").asText());
        script.add(commerce(base, "order_created").put("itemCount", 1 + random.nextInt(3)));
        String method = pick(PAYMENT_METHODS);
        boolean paid = false;
        for (int attempt = 1; attempt <= 3 && !paid; attempt++) {
            String paymentId = "pay-" + UUID.randomUUID();
            script.add(
                    commerce(base, "payment_attempted")
                            .put("paymentId", paymentId)
                            .put("paymentMethod", method));
            if (random.nextDouble() < 0.12) {
                script.add(
                        commerce(base, "payment_failed")
                                .put("paymentId", paymentId)
                                .put("paymentMethod", method)
                                .put(
                                        "failureReason",
                                        pick(
                                                new String[] {
                                                    "insufficient_funds",
                                                    "card_declined",
                                                    "expired_card"
                                                })));
            } else {
                script.add(
                        commerce(base, "payment_succeeded")
                                .put("paymentId", paymentId)
                                .put("paymentMethod", method));
                paid = true;
            }
        }
        if (paid) {
            script.add(commerce(base, "order_paid"));
            script.add(
                    commerce(
                            base,
                            random.nextDouble() < 0.97 ? "order_fulfilled" : "order_cancelled"));
        } else {
            script.add(commerce(base, "order_cancelled").put("failureReason", "payment_failed"));
        }
        return script;
    }

    private ObjectNode commerce(ObjectNode base, String type) {
        return base.deepCopy().put("type", type);
    }

    private Deque<ObjectNode> deviceTelemetry() {
        Deque<ObjectNode> script = new ArrayDeque<>();
        int device = random.nextInt(500);
        String deviceId = "edge-" + device;
        // A device is installed at one point of presence; it does not hop between them per reading.
        String site = "pop-" + REGIONS[device % REGIONS.length];
        String[] metric = METRICS[random.nextInt(METRICS.length)];
        double mean = Double.parseDouble(metric[2]);
        double sd = Double.parseDouble(metric[3]);
        for (int i = 0; i < 10; i++) {
            double value =
                    mean + sd * random.nextGaussian() + (random.nextDouble() < 0.01 ? 8 * sd : 0);
            ObjectNode event = JSON.createObjectNode();
            event.put("type", "telemetry");
            event.put("producer", "iot-gw-" + (1 + random.nextInt(2)));
            event.put("deviceId", deviceId);
            event.put("metric", metric[0]);
            event.put("value", Math.round(value * 100) / 100.0);
            event.put("unit", metric[1]);
            event.put("site", site);
            event.put("_topic", Topics.RAW_IOT);
            event.put("_key", deviceId);
            script.add(event);
        }
        return script;
    }

    private Deque<ObjectNode> mediaUpload() {
        Deque<ObjectNode> script = new ArrayDeque<>();
        ObjectNode base = JSON.createObjectNode();
        base.put("mediaId", "media-" + UUID.randomUUID());
        base.put("producer", "media-pipeline");
        base.put("_topic", Topics.RAW_MEDIA);
        base.put("_key", base.get("mediaId").asText());
        String uploadId = "up-" + UUID.randomUUID();
        int chunks = 2 + random.nextInt(6);
        long chunkBytes = 8L * 1024 * 1024;
        for (int i = 0; i < chunks; i++) {
            script.add(
                    media(base, "upload_chunk")
                            .put("uploadId", uploadId)
                            .put("chunkIndex", i)
                            .put("chunkCount", chunks)
                            .put("chunkBytes", chunkBytes)
                            .put("checksum", hex(64)));
        }
        script.add(
                media(base, "upload_completed")
                        .put("uploadId", uploadId)
                        .put("totalBytes", chunks * chunkBytes)
                        .put("checksum", hex(64)));
        for (int kbps : LADDER) {
            String rendition = kbps + "k";
            String worker = "ffmpeg-" + random.nextInt(16);
            script.add(
                    media(base, "transcode_requested")
                            .put("rendition", rendition)
                            .put("bitrateKbps", kbps));
            script.add(
                    media(base, "transcode_started")
                            .put("rendition", rendition)
                            .put("workerId", worker)
                            .put("attempt", 1));
            script.add(
                    media(base, "transcode_progress")
                            .put("rendition", rendition)
                            .put("workerId", worker)
                            .put("progressPercent", 50.0));
            script.add(
                    media(base, "transcode_completed")
                            .put("rendition", rendition)
                            .put("workerId", worker)
                            .put("attempt", 1));
        }
        for (String format : new String[] {"HLS", "DASH"}) {
            script.add(
                    media(base, "packaged")
                            .put("packagingFormat", format)
                            .put(
                                    "manifestUri",
                                    "s3://vod/"
                                            + base.get("mediaId").asText()
                                            + (format.equals("HLS")
                                                    ? "/master.m3u8"
                                                    : "/manifest.mpd")));
        }
        script.add(
                media(base, "published")
                        .put("cdnUrl", "https://cdn.example.com/" + base.get("mediaId").asText()));
        return script;
    }

    private ObjectNode media(ObjectNode base, String type) {
        return base.deepCopy().put("type", type);
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private String hex(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.toString();
    }

    private static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
