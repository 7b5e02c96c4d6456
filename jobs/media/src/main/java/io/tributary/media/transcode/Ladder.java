package io.tributary.media.transcode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The renditions every upload is transcoded into, lowest bitrate first: {@code
 * 500k,1000k,2000k,4000k}.
 */
public final class Ladder implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Ladder DEFAULT = parse("500k,1000k,2000k,4000k");

    /** A rung: its name as events carry it, and its video bitrate. */
    public record Rung(String name, int kbps) implements Serializable {}

    private final List<Rung> rungs;

    private Ladder(List<Rung> rungs) {
        this.rungs = List.copyOf(rungs);
    }

    /** Parses {@code 500k,1000k}: each rung is a bitrate in kbit/s followed by {@code k}. */
    public static Ladder parse(String text) {
        List<Rung> rungs = new ArrayList<>();
        for (String part : text.split(",")) {
            String name = part.strip();
            if (!name.matches("[1-9][0-9]*k")) {
                throw new IllegalArgumentException(
                        "ladder rung '" + name + "' is not a bitrate such as 2000k");
            }
            int kbps = Integer.parseInt(name.substring(0, name.length() - 1));
            if (rungs.stream().anyMatch(r -> r.kbps() == kbps)) {
                throw new IllegalArgumentException("ladder rung '" + name + "' appears twice");
            }
            rungs.add(new Rung(name, kbps));
        }
        rungs.sort((a, b) -> Integer.compare(a.kbps(), b.kbps()));
        return new Ladder(rungs);
    }

    public List<Rung> rungs() {
        return rungs;
    }

    public Rung rung(String name) {
        return rungs.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return String.join(",", rungs.stream().map(Rung::name).toList());
    }
}
