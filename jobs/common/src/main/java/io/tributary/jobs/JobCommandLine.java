package io.tributary.jobs;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Parses a job's command line into its options object. Never exits the JVM and lets nothing but a
 * clear {@link IllegalArgumentException} out: a job's {@code main} runs inside Flink's clients,
 * which extract the job graph by letting {@code execute()} throw out of {@code main}.
 */
public final class JobCommandLine {
    private JobCommandLine() {}

    /**
     * The filled-in {@code options}, or null when help or the version was asked for and printed.
     */
    public static <T> T parse(T options, String[] args) {
        CommandLine cli = new CommandLine(options);
        try {
            ParseResult result = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(result)) {
                return null;
            }
        } catch (ParameterException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + System.lineSeparator() + cli.getUsageMessage(), e);
        }
        return options;
    }
}
