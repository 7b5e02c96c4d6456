package io.tributary.cep.job;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Compiles published rule sets on a thread of its own. Compiling a rule set (YAML, schema, CEL
 * checks, Flink CEP's NFA compiler) takes a few hundred milliseconds; on the task thread that would
 * hold up every event and watermark behind it, and so every alert of every rule. A revision takes
 * effect seconds after it is published ({@code rules publish --effective-in}), so its compilation
 * is done long before the first event it judges, and whoever needs it then waits only if it is not.
 *
 * <p>The thread inherits the task thread's context class loader (the job's code).
 */
final class RevisionCompiler implements AutoCloseable {
    private final ExecutorService executor;

    RevisionCompiler(String owner) {
        this.executor =
                Executors.newSingleThreadExecutor(
                        work -> {
                            Thread thread = new Thread(work, "rule-set compiler of " + owner);
                            thread.setDaemon(true);
                            return thread;
                        });
    }

    /** Starts the work; compilations finish in the order they were started. */
    <T> Compiling<T> compile(Supplier<T> work) {
        return new Compiling<>(CompletableFuture.supplyAsync(work, executor));
    }

    /** Work already done, for what needs no compiling (the rules the job was submitted with). */
    static <T> Compiling<T> done(T value) {
        return new Compiling<>(CompletableFuture.completedFuture(value));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** A compilation under way or done. */
    static final class Compiling<T> {
        private final CompletableFuture<T> result;

        private Compiling(CompletableFuture<T> result) {
            this.result = result;
        }

        boolean isDone() {
            return result.isDone();
        }

        /**
         * The result, waiting for it if need be.
         *
         * @throws RuntimeException what the compilation threw
         */
        T get() {
            try {
                return result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw new IllegalStateException("compiling a rule set failed", e.getCause());
            }
        }
    }
}
