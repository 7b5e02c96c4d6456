package io.tributary.aggregations.rendition;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import org.junit.jupiter.api.Test;

class RenditionQoeTest {
    private static final RenditionKey TITLE_2000K = new RenditionKey("title-7", "2000k");

    @Test
    void eventsCountAgainstTheRenditionThePlayerIsOn() {
        assertThat(RenditionAttribution.of(EventType.HEARTBEAT, on("2000k").build()))
                .isEqualTo("2000k");
        assertThat(RenditionAttribution.of(EventType.BUFFER_START, on("1000k").build()))
                .isEqualTo("1000k");
        assertThat(RenditionAttribution.of(EventType.BUFFER_END, on("1000k").build()))
                .isEqualTo("1000k");
        assertThat(RenditionAttribution.of(EventType.ERROR, on("500k").build())).isEqualTo("500k");
    }

    @Test
    void aDownshiftCountsAgainstTheRenditionLeftAndAnUpshiftAgainstNone() {
        PlayerEvent down = on("1000k").setBitrateKbps(1000).setPreviousBitrateKbps(2000).build();
        PlayerEvent up = on("4000k").setBitrateKbps(4000).setPreviousBitrateKbps(2000).build();

        assertThat(RenditionAttribution.of(EventType.BITRATE_SWITCH, down)).isEqualTo("2000k");
        assertThat(RenditionAttribution.of(EventType.BITRATE_SWITCH, up)).isNull();
    }

    @Test
    void eventsWithoutARenditionOrNotAboutOneAreLeftOut() {
        assertThat(RenditionAttribution.of(EventType.HEARTBEAT, on(null).build())).isNull();
        assertThat(RenditionAttribution.of(EventType.PLAY, on("2000k").build())).isNull();
        assertThat(
                        RenditionAttribution.of(
                                EventType.BITRATE_SWITCH, on("1000k").setBitrateKbps(1000).build()))
                .isNull();
    }

    @Test
    void watchTimeStallsDownshiftsAndErrorsOfOneRendition() {
        RenditionAccumulator acc = new RenditionAccumulator();
        for (int i = 0; i < 6; i++) {
            acc.add(EventType.HEARTBEAT, on("2000k").build());
        }
        acc.add(EventType.BUFFER_START, on("2000k").build());
        acc.add(EventType.BUFFER_END, on("2000k").setBufferDurationMs(1_500L).build());
        acc.add(EventType.BUFFER_START, on("2000k").build());
        acc.add(EventType.BUFFER_END, on("2000k").setBufferDurationMs(4_500L).build());
        acc.add(
                EventType.BITRATE_SWITCH,
                on("1000k").setBitrateKbps(1000).setPreviousBitrateKbps(2000).build());
        acc.add(EventType.ERROR, on("2000k").setErrorFatal(false).build());
        acc.add(EventType.ERROR, on("2000k").setErrorFatal(true).build());

        QoeRenditionMinute row = acc.toResult(TITLE_2000K, 60_000, 120_000, 2, 10_000);

        assertThat(row.getTitleId()).isEqualTo("title-7");
        assertThat(row.getRenditionId()).isEqualTo("2000k");
        assertThat(row.getRevision()).isEqualTo(2);
        assertThat(row.getWindowStart().toEpochMilli()).isEqualTo(60_000);
        assertThat(row.getWindowEnd().toEpochMilli()).isEqualTo(120_000);
        assertThat(row.getWatchTimeMs()).isEqualTo(60_000);
        assertThat(row.getRebufferCount()).isEqualTo(2);
        assertThat(row.getBufferingMs()).isEqualTo(6_000);
        assertThat(row.getRebufferRatio()).isEqualTo(0.1);
        assertThat(row.getDownshifts()).isEqualTo(1);
        assertThat(row.getErrors()).isEqualTo(2);
        assertThat(row.getFatalErrors()).isEqualTo(1);
    }

    @Test
    void noWatchTimeMeansNoRatioAndMergingAddsUp() {
        RenditionAccumulator a = new RenditionAccumulator();
        a.add(EventType.BUFFER_START, on("500k").build());
        assertThat(a.toResult(TITLE_2000K, 0, 60_000, 1, 10_000).getRebufferRatio()).isNull();

        RenditionAccumulator b = new RenditionAccumulator();
        b.add(EventType.HEARTBEAT, on("500k").build());
        b.add(EventType.BUFFER_END, on("500k").setBufferDurationMs(2_000L).build());
        QoeRenditionMinute merged = a.merge(b).toResult(TITLE_2000K, 0, 60_000, 1, 10_000);

        assertThat(merged.getRebufferCount()).isEqualTo(1);
        assertThat(merged.getWatchTimeMs()).isEqualTo(10_000);
        assertThat(merged.getRebufferRatio()).isEqualTo(0.2);
    }

    private static PlayerEvent.Builder on(String rendition) {
        return PlayerEvent.newBuilder()
                .setSessionId("s")
                .setViewerId("v")
                .setAccountId("a")
                .setDeviceId("d")
                .setTitleId("title-7")
                .setDeviceClass(DeviceClass.TV)
                .setCdn("fastly")
                .setRegion("eu-west")
                .setPositionMs(0)
                .setRenditionId(rendition);
    }
}
