package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import java.lang.reflect.Field;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * What crosses the shuffle into a two-phase window: the accumulator of one key's events in one
 * pane, combined before the shuffle. {@link #event} is set only when the partial holds a single
 * event that may be too late for its window: that event then still reaches the late-events topic
 * unchanged if the window refuses it.
 */
public final class Partial<K, A> {
    public K key;
    public A aggregate;
    public Envelope event;

    public Partial() {}

    private Partial(K key, A aggregate, Envelope event) {
        this.key = key;
        this.aggregate = aggregate;
        this.event = event;
    }

    /** Events of one key and pane, folded. */
    public static <K, A> Partial<K, A> combined(K key, A aggregate) {
        return new Partial<>(key, aggregate, null);
    }

    /** One event that may be too late for its window, folded alone and carried along. */
    public static <K, A> Partial<K, A> alone(K key, A aggregate, Envelope event) {
        return new Partial<>(key, aggregate, event);
    }

    /**
     * A POJO type built from its parts' types: the generic fields cannot be extracted by
     * reflection.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <K, A> TypeInformation<Partial<K, A>> typeInfo(
            TypeInformation<K> keyType, TypeInformation<A> aggregateType) {
        try {
            List<PojoField> fields =
                    List.of(
                            new PojoField(field("key"), keyType),
                            new PojoField(field("aggregate"), aggregateType),
                            new PojoField(field("event"), new AvroTypeInfo<>(Envelope.class)));
            return new PojoTypeInfo(Partial.class, fields);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(String name) throws NoSuchFieldException {
        return Partial.class.getField(name);
    }
}
