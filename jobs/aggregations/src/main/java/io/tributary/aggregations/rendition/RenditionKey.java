package io.tributary.aggregations.rendition;

import java.util.Objects;

/** The key of rendition QoE windows: title × rendition. A POJO, so no Kryo. */
public class RenditionKey {
    public String titleId;
    public String renditionId;

    public RenditionKey() {}

    public RenditionKey(String titleId, String renditionId) {
        this.titleId = titleId;
        this.renditionId = renditionId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RenditionKey k
                && titleId.equals(k.titleId)
                && renditionId.equals(k.renditionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(titleId, renditionId);
    }

    @Override
    public String toString() {
        return titleId + "/" + renditionId;
    }
}
