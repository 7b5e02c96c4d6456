package io.tributary.aggregations.trending;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.aggregates.RankedTitle;
import io.tributary.schemas.aggregates.TrendingTitles;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class TopTitlesPerRegionTest {
    private static final long MINUTE = 60_000;
    private static final long END = 10 * MINUTE;
    private static final long LATENESS = 2 * MINUTE;

    @Test
    void rankingIsMostPlaysFirstWithTiesByTitle() {
        List<RankedTitle> top = Ranking.top(Map.of("b", 5L, "a", 5L, "c", 9L, "d", 1L), 3);

        assertThat(top).extracting(RankedTitle::getTitleId).containsExactly("c", "a", "b");
        assertThat(top).extracting(RankedTitle::getRank).containsExactly(1, 2, 3);
    }

    @Test
    void ranksAtTheWindowEndRevisesOnLateCountsAndThenForgets() throws Exception {
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, TitlePlays, TrendingTitles>(
                        new KeyedProcessOperator<>(new TopTitlesPerRegion(2, LATENESS)),
                        TopTitlesPerRegion::key,
                        Types.STRING)) {
            harness.open();
            harness.processElement(
                    new StreamRecord<>(new TitlePlays("eu-west", "a", 0, END, 3), END - 1));
            harness.processElement(
                    new StreamRecord<>(new TitlePlays("eu-west", "b", 0, END, 7), END - 1));
            harness.processElement(
                    new StreamRecord<>(new TitlePlays("eu-west", "c", 0, END, 1), END - 1));
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processWatermark(END - 1);
            TrendingTitles first = harness.extractOutputValues().get(0);
            assertThat(first.getRevision()).isEqualTo(1);
            assertThat(first.getTitles())
                    .extracting(RankedTitle::getTitleId)
                    .containsExactly("b", "a");

            harness.processElement(
                    new StreamRecord<>(new TitlePlays("eu-west", "c", 0, END, 9), END - 1));
            TrendingTitles revised = harness.extractOutputValues().get(1);
            assertThat(revised.getRevision()).isEqualTo(2);
            assertThat(revised.getTitles())
                    .extracting(RankedTitle::getTitleId)
                    .containsExactly("c", "b");

            harness.processWatermark(END + LATENESS);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }
}
