package io.tributary.aggregations.qoe;

import io.tributary.jobs.types.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Gives {@link QoeAccumulator} its own serializer, so window state never falls back to Kryo. */
public final class QoeAccumulatorTypeInfoFactory extends TypeInfoFactory<QoeAccumulator> {

    @Override
    public TypeInformation<QoeAccumulator> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new SerializerTypeInfo<>(QoeAccumulator.class, QoeAccumulatorSerializer.INSTANCE);
    }
}
