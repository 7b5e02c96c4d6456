package io.tributary.aggregations.qoe;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Gives {@link QoeAccumulator} its own serializer, so window state never falls back to Kryo. */
public final class QoeAccumulatorTypeInfoFactory extends TypeInfoFactory<QoeAccumulator> {

    @Override
    public TypeInformation<QoeAccumulator> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new QoeAccumulatorTypeInfo();
    }

    /** Type information of the QoE accumulator. */
    public static final class QoeAccumulatorTypeInfo extends TypeInformation<QoeAccumulator> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<QoeAccumulator> getTypeClass() {
            return QoeAccumulator.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<QoeAccumulator> createSerializer(SerializerConfig config) {
            return QoeAccumulatorSerializer.INSTANCE;
        }

        @Override
        @Deprecated
        public TypeSerializer<QoeAccumulator> createSerializer(ExecutionConfig config) {
            return QoeAccumulatorSerializer.INSTANCE;
        }

        @Override
        public String toString() {
            return "QoeAccumulator";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof QoeAccumulatorTypeInfo;
        }

        @Override
        public int hashCode() {
            return QoeAccumulatorTypeInfo.class.hashCode();
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof QoeAccumulatorTypeInfo;
        }
    }
}
