package io.tributary.aggregations.qoe;

import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.util.Objects;

/** The key of QoE windows: title × CDN × region × device class. A POJO, so no Kryo. */
public class QoeDimensions {
    public String titleId;
    public String cdn;
    public String region;
    public DeviceClass deviceClass;

    public QoeDimensions() {}

    public QoeDimensions(String titleId, String cdn, String region, DeviceClass deviceClass) {
        this.titleId = titleId;
        this.cdn = cdn;
        this.region = region;
        this.deviceClass = deviceClass;
    }

    public static QoeDimensions of(PlayerEvent event) {
        return new QoeDimensions(
                event.getTitleId(), event.getCdn(), event.getRegion(), event.getDeviceClass());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QoeDimensions d
                && titleId.equals(d.titleId)
                && cdn.equals(d.cdn)
                && region.equals(d.region)
                && deviceClass == d.deviceClass;
    }

    /** Flink assigns key groups by this hash, so it must not depend on the JVM: enums by name. */
    @Override
    public int hashCode() {
        return Objects.hash(titleId, cdn, region, deviceClass.name());
    }

    @Override
    public String toString() {
        return titleId + "/" + cdn + "/" + region + "/" + deviceClass;
    }
}
