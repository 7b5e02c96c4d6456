package io.tributary.demo;

/** One line of rates since the previous line: what went in, what came out, what was rejected. */
final class ProgressReport {
    private final TrafficPump pump;
    private final OutputCounter counter;
    private long lastNanos = System.nanoTime();
    private long lastIn;
    private long lastOut;
    private long lastDead;

    ProgressReport(TrafficPump pump, OutputCounter counter) {
        this.pump = pump;
        this.counter = counter;
    }

    String line() {
        long now = System.nanoTime();
        double seconds = (now - lastNanos) / 1e9;
        long in = pump.good() + pump.duplicates() + pump.malformed();
        long out = counter.events();
        long dead = counter.deadLetters();
        String line =
                String.format(
                        java.util.Locale.ROOT,
                        "in %,7.0f/s | out %,7.0f/s | dead-lettered %,5.0f/s | totals: in %,d (dup %,d, bad %,d) out %,d dead %,d | aggregate rows %,d | alerts %s",
                        (in - lastIn) / seconds,
                        (out - lastOut) / seconds,
                        (dead - lastDead) / seconds,
                        in,
                        pump.duplicates(),
                        pump.malformed(),
                        out,
                        dead,
                        counter.aggregates(),
                        counter.alerts().isEmpty() ? "none yet" : counter.alerts().toString());
        lastNanos = now;
        lastIn = in;
        lastOut = out;
        lastDead = dead;
        return line;
    }
}
