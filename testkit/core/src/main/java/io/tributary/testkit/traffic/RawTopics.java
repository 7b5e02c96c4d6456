package io.tributary.testkit.traffic;

import java.util.List;

/** The raw topics gateways and devices write to, as the demo and tests lay them out. */
public final class RawTopics {
    public static final String PLAYER = "raw.player";
    public static final String MEDIA = "raw.media";
    public static final String COMMERCE = "raw.commerce";
    public static final String IOT = "raw.iot";
    public static final List<String> ALL = List.of(PLAYER, MEDIA, COMMERCE, IOT);

    private RawTopics() {}
}
