package io.tributary.media.transcode;

/**
 * Where one rendition of one media item stands; kept in Flink state (a POJO: public fields and a
 * no-argument constructor, so Flink's POJO serializer handles it and can evolve it).
 */
public class RenditionProgress {
    public enum Status {
        QUEUED,
        RUNNING,
        RETRY_WAIT,
        DONE,
        GAVE_UP
    }

    public String rendition;
    public int bitrateKbps;
    public Status status;

    /** 1 for the first try. */
    public int attempt;

    /** Event time the current status began. */
    public long since;

    /** Event time of the retry, while waiting for one. */
    public long retryAt;

    /** Whether the SLA breach of the current status and attempt was already reported. */
    public boolean breachReported;

    public String workerId;
    public String lastFailure;

    /** Playback duration the worker reported with its completion. */
    public Long durationMs;

    public RenditionProgress() {}

    static RenditionProgress queued(Ladder.Rung rung, int attempt, long time) {
        RenditionProgress progress = new RenditionProgress();
        progress.rendition = rung.name();
        progress.bitrateKbps = rung.kbps();
        progress.attempt = attempt;
        progress.enter(Status.QUEUED, time);
        return progress;
    }

    void enter(Status next, long time) {
        status = next;
        since = time;
        breachReported = false;
    }

    @Override
    public String toString() {
        return rendition + " " + status + " attempt " + attempt + " since " + since;
    }
}
