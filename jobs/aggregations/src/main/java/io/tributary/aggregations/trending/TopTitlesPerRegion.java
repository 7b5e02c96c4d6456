package io.tributary.aggregations.trending;

import io.tributary.schemas.aggregates.TrendingTitles;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Ranks the titles of one region and one window (the key), in parallel across regions and windows
 * instead of a {@code windowAll}. The counting stage emits every title's plays for a window just
 * before the watermark passes the window's end; a timer there emits the ranking. Later counts (late
 * events within the allowed lateness) update it right away with the next revision. A second timer
 * clears the state once the window can change no more.
 */
public final class TopTitlesPerRegion
        extends KeyedProcessFunction<String, TitlePlays, TrendingTitles> {
    private static final long serialVersionUID = 1L;

    private final int n;
    private final long allowedLatenessMs;
    private transient MapState<String, Long> playsByTitle;
    private transient ValueState<Integer> revision;
    private transient ValueState<Long> windowStart;

    public TopTitlesPerRegion(int n, long allowedLatenessMs) {
        this.n = n;
        this.allowedLatenessMs = allowedLatenessMs;
    }

    /** The key: one region's ranking for one window. */
    public static String key(TitlePlays plays) {
        return plays.region + "|" + plays.windowEnd;
    }

    @Override
    public void open(Configuration parameters) {
        playsByTitle =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "plays-by-title", Types.STRING, Types.LONG));
        revision = getRuntimeContext().getState(new ValueStateDescriptor<>("revision", Types.INT));
        windowStart =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("window-start", Types.LONG));
    }

    @Override
    public void processElement(TitlePlays plays, Context ctx, Collector<TrendingTitles> out)
            throws Exception {
        playsByTitle.put(plays.titleId, plays.plays);
        long lastMoment = plays.windowEnd - 1;
        if (windowStart.value() == null) {
            windowStart.update(plays.windowStart);
            ctx.timerService().registerEventTimeTimer(lastMoment);
            ctx.timerService().registerEventTimeTimer(lastMoment + allowedLatenessMs + 1);
        }
        if (revision.value() != null) {
            emit(plays.region, plays.windowEnd, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrendingTitles> out)
            throws Exception {
        String[] key = ctx.getCurrentKey().split("\\|", 2);
        long windowEnd = Long.parseLong(key[1]);
        if (timestamp == windowEnd - 1) {
            emit(key[0], windowEnd, out);
        } else {
            playsByTitle.clear();
            revision.clear();
            windowStart.clear();
        }
    }

    private void emit(String region, long windowEnd, Collector<TrendingTitles> out)
            throws Exception {
        int next = revision.value() == null ? 1 : revision.value() + 1;
        revision.update(next);
        Map<String, Long> snapshot = new HashMap<>();
        for (Map.Entry<String, Long> entry : playsByTitle.entries()) {
            snapshot.put(entry.getKey(), entry.getValue());
        }
        out.collect(
                TrendingTitles.newBuilder()
                        .setRegion(region)
                        .setWindowStart(Instant.ofEpochMilli(windowStart.value()))
                        .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                        .setRevision(next)
                        .setTitles(Ranking.top(snapshot, n))
                        .build());
    }
}
