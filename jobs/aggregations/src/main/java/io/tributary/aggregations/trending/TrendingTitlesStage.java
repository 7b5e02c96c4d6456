package io.tributary.aggregations.trending;

import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Trending titles: plays per region × title over a sliding 10-minute window every minute
 * (incremental counts), then the top N per region and window, ranked in parallel.
 */
public final class TrendingTitlesStage {
    public static final String COUNT_UID = "trending-title-plays-window";
    public static final String RANK_UID = "trending-top-titles";
    static final Duration SIZE = Duration.ofMinutes(10);
    static final Duration SLIDE = Duration.ofMinutes(1);

    private TrendingTitlesStage() {}

    /** The ranking, and the plays too late for every window they belong to. */
    public record Streams(
            SingleOutputStreamOperator<TrendingTitles> ranked, DataStream<Envelope> tooLate) {}

    public static Streams apply(DataStream<Envelope> events, int topN, Duration allowedLateness) {
        DataStream<Envelope> plays =
                events.filter(new PlaysOnly()).uid("trending-plays").name("plays");
        TwoPhaseWindow.Results<TitlePlays> counts =
                TwoPhaseWindow.sliding(
                                "plays per title, 10 min every minute",
                                COUNT_UID,
                                new ByRegionAndTitle(),
                                new CountPlays(),
                                SIZE,
                                SLIDE)
                        .apply(plays, allowedLateness, new WithWindow());
        SingleOutputStreamOperator<TrendingTitles> ranked =
                counts.results()
                        .keyBy(new ByRegionAndWindow())
                        .process(new TopTitlesPerRegion(topN, allowedLateness.toMillis()))
                        .uid(RANK_UID)
                        .name("top titles per region");
        return new Streams(ranked, counts.tooLate());
    }

    /** Play starts are what makes a title trend. */
    public static final class PlaysOnly implements FilterFunction<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Envelope event) {
            return event.getEventType() == EventType.PLAY;
        }
    }

    /** Counting key. */
    public static final class ByRegionAndTitle implements KeySelector<Envelope, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Envelope event) {
            PlayerEvent play = (PlayerEvent) event.getPayload();
            return play.getRegion() + "|" + play.getTitleId();
        }
    }

    /** Ranking key. */
    public static final class ByRegionAndWindow implements KeySelector<TitlePlays, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TitlePlays plays) {
            return TopTitlesPerRegion.key(plays);
        }
    }

    /** Counts plays. */
    public static final class CountPlays implements AggregateFunction<Envelope, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Envelope event, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** Attaches region, title and window to a count. */
    public static final class WithWindow
            extends ProcessWindowFunction<Long, TitlePlays, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                String key, Context context, Iterable<Long> counts, Collector<TitlePlays> out) {
            String[] parts = key.split("\\|", 2);
            out.collect(
                    new TitlePlays(
                            parts[0],
                            parts[1],
                            context.window().getStart(),
                            context.window().getEnd(),
                            counts.iterator().next()));
        }
    }
}
