package io.tributary.cep.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

/**
 * One rule's view of its group operator's keyed state: every state it asks for is kept under a
 * name prefixed by the rule's uid. Flink CEP's shared buffer names its states with constants, so
 * without the prefix the rules of one operator would share (and corrupt) one buffer; with it, a
 * rule added to a group starts with empty state while the others restore theirs.
 */
final class RuleStateStore implements KeyedStateStore {
    private final KeyedStateStore store;
    private final String prefix;
    private final List<State> handedOut = new ArrayList<>();

    RuleStateStore(KeyedStateStore store, String ruleUid) {
        this.store = store;
        this.prefix = ruleUid + "/";
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
        return remember(store.getState(new ValueStateDescriptor<>(prefix + descriptor.getName(), descriptor.getSerializer())));
    }

    @Override
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
        return remember(store.getMapState(new MapStateDescriptor<>(
                prefix + descriptor.getName(), descriptor.getKeySerializer(), descriptor.getValueSerializer())));
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        throw unused(descriptor.getName());
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
        throw unused(descriptor.getName());
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        throw unused(descriptor.getName());
    }

    /** Forgets everything this rule keeps for the current key. */
    void clearAll() {
        handedOut.forEach(State::clear);
    }

    private <S extends State> S remember(S state) {
        handedOut.add(state);
        return state;
    }

    private static UnsupportedOperationException unused(String name) {
        return new UnsupportedOperationException("a rule keeps only value and map state; asked for " + name);
    }
}
