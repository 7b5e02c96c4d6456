package io.tributary.media.transcode;

import io.tributary.media.transcode.RenditionProgress.Status;
import io.tributary.schemas.EventType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Orchestrates the transcode ladder of one media item, free of Flink: which renditions to request,
 * what a worker's report changes, when to retry and when an SLA is breached, and when the ladder is
 * done or has failed. The caller keeps the renditions (in Flink state) and turns the returned
 * commands into events and timers.
 *
 * <pre>
 *            request                 started               completed
 *   (new) ----------> QUEUED ------------------> RUNNING ------------> DONE
 *                      ^  |                        |
 *          retry timer |  | failed (attempts left) | failed (attempts left)
 *                      |  v                        v
 *                   RETRY_WAIT <-------------------+
 *                         failed, no attempts left (from QUEUED or RUNNING) --> GAVE_UP
 * </pre>
 *
 * A report of an older attempt than the current one is stale (a worker that lost its lease) and
 * ignored; a completion is accepted from any attempt, since its output is as good as any.
 */
public final class TranscodePlanner implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Ladder ladder;
    private final RetryPolicy retry;
    private final TranscodeSla sla;

    public TranscodePlanner(Ladder ladder, RetryPolicy retry, TranscodeSla sla) {
        this.ladder = ladder;
        this.retry = retry;
        this.sla = sla;
    }

    /** Something for the caller to emit. */
    public sealed interface Command permits Request, Breach {}

    /** Ask the worker pool for a rendition. */
    public record Request(String rendition, int bitrateKbps, int attempt) implements Command {}

    /** A rendition waited or ran longer than the SLA allows. */
    public record Breach(String rendition, TranscodeSla.Kind kind, int attempt, long waitedMs)
            implements Command {}

    /** Where the whole ladder stands. */
    public enum Verdict {
        IN_PROGRESS,
        TRANSCODED,
        FAILED
    }

    /** A worker's report that does not fit the rendition's state; goes to the dead-letter path. */
    public static final class InvalidReport extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidReport(String message) {
            super(message);
        }
    }

    /** What a worker's report did: commands to emit, or nothing when it was stale or repeated. */
    public record Reaction(List<Command> commands, boolean ignored) {}

    public Ladder ladder() {
        return ladder;
    }

    /** The upload is in: every rung is queued as attempt 1. */
    public List<Command> start(Map<String, RenditionProgress> renditions, long time) {
        List<Command> commands = new ArrayList<>();
        for (Ladder.Rung rung : ladder.rungs()) {
            RenditionProgress progress = RenditionProgress.queued(rung, 1, time);
            renditions.put(rung.name(), progress);
            commands.add(new Request(rung.name(), rung.kbps(), 1));
        }
        return commands;
    }

    public Reaction onReport(
            Map<String, RenditionProgress> renditions,
            EventType type,
            String rendition,
            Integer attempt,
            String workerId,
            String failure,
            long time)
            throws InvalidReport {
        RenditionProgress progress = renditions.get(rendition);
        if (progress == null) {
            throw new InvalidReport(
                    type
                            + " for rendition "
                            + rendition
                            + ", which is not on the ladder "
                            + ladder);
        }
        int reported = attempt == null ? progress.attempt : attempt;
        if (reported > progress.attempt) {
            throw new InvalidReport(
                    type
                            + " for attempt "
                            + reported
                            + " of rendition "
                            + rendition
                            + ", but only attempt "
                            + progress.attempt
                            + " was requested");
        }
        boolean stale = reported < progress.attempt;
        switch (type) {
            case TRANSCODE_STARTED, TRANSCODE_PROGRESS -> {
                if (stale
                        || progress.status == Status.RUNNING
                                && type == EventType.TRANSCODE_PROGRESS) {
                    return ignored();
                }
                if (progress.status == Status.RUNNING) {
                    return ignored(); // a repeated start
                }
                if (progress.status != Status.QUEUED) {
                    throw new InvalidReport(
                            type
                                    + " for rendition "
                                    + rendition
                                    + " attempt "
                                    + reported
                                    + ", which is "
                                    + progress.status);
                }
                progress.workerId = workerId;
                progress.enter(Status.RUNNING, time);
                return new Reaction(List.of(), false);
            }
            case TRANSCODE_COMPLETED -> {
                if (progress.status == Status.DONE) {
                    return ignored();
                }
                if (progress.status == Status.GAVE_UP) {
                    throw new InvalidReport(
                            type + " for rendition " + rendition + ", which was given up");
                }
                progress.workerId = workerId == null ? progress.workerId : workerId;
                progress.enter(Status.DONE, time);
                return new Reaction(List.of(), false);
            }
            case TRANSCODE_FAILED -> {
                if (stale || progress.status == Status.RETRY_WAIT) {
                    return ignored();
                }
                if (progress.status == Status.DONE || progress.status == Status.GAVE_UP) {
                    throw new InvalidReport(
                            type
                                    + " for rendition "
                                    + rendition
                                    + " attempt "
                                    + reported
                                    + ", which is "
                                    + progress.status);
                }
                progress.lastFailure = failure;
                if (progress.attempt >= retry.maxAttempts()) {
                    progress.enter(Status.GAVE_UP, time);
                } else {
                    progress.enter(Status.RETRY_WAIT, time);
                    progress.retryAt = time + retry.backoffMs(progress.attempt);
                }
                return new Reaction(List.of(), false);
            }
            default -> throw new InvalidReport(type + " is not a worker report");
        }
    }

    /** Event time reached {@code time}: retries that are due, and SLA breaches. */
    public List<Command> onTime(Map<String, RenditionProgress> renditions, long time) {
        List<Command> commands = new ArrayList<>();
        for (Ladder.Rung rung : ladder.rungs()) {
            RenditionProgress progress = renditions.get(rung.name());
            if (progress == null) {
                continue;
            }
            if (progress.status == Status.RETRY_WAIT && progress.retryAt <= time) {
                progress.attempt++;
                progress.enter(Status.QUEUED, time);
                commands.add(
                        new Request(progress.rendition, progress.bitrateKbps, progress.attempt));
            } else if (!progress.breachReported && slaDeadline(progress) <= time) {
                progress.breachReported = true;
                TranscodeSla.Kind kind =
                        progress.status == Status.QUEUED
                                ? TranscodeSla.Kind.QUEUED_TOO_LONG
                                : TranscodeSla.Kind.RUNNING_TOO_LONG;
                commands.add(
                        new Breach(
                                progress.rendition, kind, progress.attempt, time - progress.since));
            }
        }
        return commands;
    }

    /**
     * The earliest event time at which {@link #onTime} has something to do; MAX_VALUE for never.
     */
    public long nextDeadline(Map<String, RenditionProgress> renditions) {
        long next = Long.MAX_VALUE;
        for (RenditionProgress progress : renditions.values()) {
            if (progress.status == Status.RETRY_WAIT) {
                next = Math.min(next, progress.retryAt);
            } else if (!progress.breachReported) {
                next = Math.min(next, slaDeadline(progress));
            }
        }
        return next;
    }

    public Verdict verdict(Map<String, RenditionProgress> renditions) {
        if (renditions.values().stream().anyMatch(p -> p.status == Status.GAVE_UP)) {
            return Verdict.FAILED;
        }
        boolean allDone =
                !renditions.isEmpty()
                        && ladder.rungs().stream()
                                .allMatch(
                                        r ->
                                                renditions.containsKey(r.name())
                                                        && renditions.get(r.name()).status
                                                                == Status.DONE);
        return allDone ? Verdict.TRANSCODED : Verdict.IN_PROGRESS;
    }

    /** Why the ladder failed: each rendition given up, with its last failure. */
    public String failureReason(Map<String, RenditionProgress> renditions) {
        List<String> parts = new ArrayList<>();
        for (Ladder.Rung rung : ladder.rungs()) {
            RenditionProgress progress = renditions.get(rung.name());
            if (progress != null && progress.status == Status.GAVE_UP) {
                parts.add(
                        "rendition "
                                + rung.name()
                                + " failed "
                                + progress.attempt
                                + " time(s), last: "
                                + progress.lastFailure);
            }
        }
        return String.join("; ", parts);
    }

    private long slaDeadline(RenditionProgress progress) {
        return switch (progress.status) {
            case QUEUED -> progress.since + sla.maxQueued().toMillis();
            case RUNNING -> progress.since + sla.maxRunning().toMillis();
            default -> Long.MAX_VALUE;
        };
    }

    private static Reaction ignored() {
        return new Reaction(List.of(), true);
    }
}
