package io.tributary.aggregations.trending;

/** Plays of one title in one region and one sliding window: what the counting stage emits. */
public class TitlePlays {
    public String region;
    public String titleId;
    public long windowStart;
    public long windowEnd;
    public long plays;

    public TitlePlays() {}

    public TitlePlays(String region, String titleId, long windowStart, long windowEnd, long plays) {
        this.region = region;
        this.titleId = titleId;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.plays = plays;
    }
}
