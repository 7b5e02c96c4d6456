package io.tributary.aggregations.trending;

import io.tributary.schemas.aggregates.RankedTitle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The top N of a title → plays map: most plays first, ties by title id, so rankings are stable. */
public final class Ranking {
    private Ranking() {}

    public static List<RankedTitle> top(Map<String, Long> playsByTitle, int n) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(playsByTitle.entrySet());
        entries.sort(
                Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()));
        List<RankedTitle> ranked = new ArrayList<>();
        for (int i = 0; i < Math.min(n, entries.size()); i++) {
            ranked.add(new RankedTitle(i + 1, entries.get(i).getKey(), entries.get(i).getValue()));
        }
        return ranked;
    }
}
