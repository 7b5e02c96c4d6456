package io.tributary.aggregations.iot;

import java.util.Objects;

/** The key of IoT windows: one metric of one device. */
public class DeviceMetric {
    public String deviceId;
    public String metric;

    public DeviceMetric() {}

    public DeviceMetric(String deviceId, String metric) {
        this.deviceId = deviceId;
        this.metric = metric;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceMetric d
                && deviceId.equals(d.deviceId)
                && metric.equals(d.metric);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceId, metric);
    }

    @Override
    public String toString() {
        return deviceId + "/" + metric;
    }
}
