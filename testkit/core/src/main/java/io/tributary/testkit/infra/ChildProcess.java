package io.tributary.testkit.infra;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A server process that cannot outlive the JVM that started it.
 *
 * <p>The command runs under a small shell guard that holds our pipe as its stdin: when this JVM
 * exits for any reason (including {@code kill -9}) the pipe closes, {@code cat} returns and the
 * guard kills the server. Output goes to a log file, read back when a start fails.
 */
public final class ChildProcess implements AutoCloseable {
    // Background jobs of a non-interactive shell read /dev/null, so the pipe is kept on fd 3.
    private static final String GUARD =
            "exec 3<&0; "
                    + "\"$@\" </dev/null 3<&- & child=$!; "
                    + "( cat <&3 >/dev/null; kill $child 2>/dev/null ) & watcher=$!; "
                    + "exec 3<&-; "
                    + "trap 'kill $child 2>/dev/null' TERM INT; "
                    + "wait $child; status=$?; kill $watcher 2>/dev/null; exit $status";

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ChildProcess start(String name, List<String> command, Path workDir, Path log) {
        return start(name, command, workDir, log, Map.of());
    }

    /** As above, with extra environment variables for the server. */
    public static ChildProcess start(
            String name,
            List<String> command,
            Path workDir,
            Path log,
            Map<String, String> environment) {
        List<String> guarded = new ArrayList<>(List.of("bash", "-c", GUARD, name));
        guarded.addAll(command);
        ProcessBuilder builder =
                new ProcessBuilder(guarded)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        try {
            return new ChildProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    /** Runs a command to completion (for one-off tools such as storage formatting). */
    public static void run(
            String name, List<String> command, Path workDir, Path log, Duration timeout) {
        try (ChildProcess child = start(name, command, workDir, log)) {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        name + " did not finish in " + timeout + child.tail());
            }
            if (child.process.exitValue() != 0) {
                throw new IllegalStateException(
                        name
                                + " failed with exit code "
                                + child.process.exitValue()
                                + child.tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " interrupted", e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the server with SIGKILL, as a crashed machine or the OOM killer would: no shutdown
     * hook, no clean close of its connections. Returns once it is gone.
     */
    public void killHard() {
        List<ProcessHandle> server = process.descendants().toList();
        server.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : server) {
            handle.onExit().join();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Waits until {@code ready} holds. Fails at once, with the log's last lines, when the process
     * exits first; after {@code timeout} the process is stopped and the failure shows the log too.
     */
    public void awaitAlive(String what, Duration timeout, Callable<Boolean> ready) {
        try {
            await(what)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> {
                                if (!process.isAlive()) {
                                    throw new IllegalStateException(
                                            what + ": the process exited" + tail());
                                }
                                return ready.call();
                            });
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException(what + ": not so after " + timeout + tail(), e);
        }
    }

    /**
     * Polls {@code probe} until {@code ready} accepts its HTTP status. Fails with the log's last
     * lines when the process exits first or {@code timeout} passes (then the process is stopped).
     */
    public void awaitHttp(String what, HttpRequest probe, IntPredicate ready, Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        awaitAlive(
                what + " answering " + probe.uri(),
                timeout,
                () -> {
                    try {
                        return ready.test(
                                http.send(probe, HttpResponse.BodyHandlers.discarding())
                                        .statusCode());
                    } catch (IOException e) {
                        return false; // not listening yet
                    }
                });
    }

    /** The last lines of the log, for error messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n--- last lines of "
                    + log
                    + " ---\n"
                    + String.join(
                            "\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return " (no log at " + log + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            // Closing stdin is the guard's signal to stop the server; wait for a clean shutdown.
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
