package io.tributary.rulescli;

import io.tributary.cep.fixtures.FixtureCase;
import io.tributary.cep.rules.PatternExplainer;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rules validate|test|explain <rule files or directories>}: what an analyst runs before a
 * rule is deployed; {@code rules publish <dir>} deploys it to the running CEP job. Exit code 0 when
 * everything is fine, 1 when a rule or fixture is wrong, 2 for a wrong command line.
 */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        version = "tributary rules 0.1.0",
        description = "Check, test and explain Tributary CEP rule files.",
        subcommands = {
            RulesCli.Validate.class,
            RulesCli.Test.class,
            RulesCli.Explain.class,
            Publish.class
        })
public final class RulesCli {
    public static final int OK = 0;
    public static final int PROBLEMS = 1;

    public static void main(String[] args) {
        System.exit(
                execute(
                        new PrintWriter(System.out, true),
                        new PrintWriter(System.err, true),
                        args));
    }

    /** Runs the command with the given output streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine command = new CommandLine(new RulesCli());
        command.setOut(out);
        command.setErr(err);
        return command.execute(args);
    }

    /** Every rule under the paths, checked together (ids unique across all of them). */
    static RuleLoader.Loaded load(List<Path> paths) {
        List<Rule> rules = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (Path path : paths) {
            if (!path.toFile().exists()) {
                problems.add(new RuleProblem(path.toString(), 1, 1, "no such file or directory"));
                continue;
            }
            for (Path file : RuleLoader.ruleFiles(path)) {
                try {
                    texts.put(file.toString(), java.nio.file.Files.readString(file));
                } catch (java.io.IOException e) {
                    problems.add(
                            new RuleProblem(
                                    file.toString(), 1, 1, "cannot read: " + e.getMessage()));
                }
            }
        }
        if (texts.isEmpty() && problems.isEmpty()) {
            problems.add(
                    new RuleProblem(String.valueOf(paths), 1, 1, "no rule files (*.yaml) found"));
        }
        RuleLoader.Loaded loaded = RuleLoader.loadTexts(texts);
        rules.addAll(loaded.rules());
        problems.addAll(loaded.problems());
        return new RuleLoader.Loaded(
                problems.isEmpty() ? rules : List.of(), problems, loaded.warnings());
    }

    static boolean report(RuleLoader.Loaded loaded, PrintWriter err) {
        loaded.problems().forEach(err::println);
        loaded.warnings().forEach(err::println);
        if (!loaded.ok()) {
            err.printf("%d problem(s); nothing was deployed.%n", loaded.problems().size());
            return false;
        }
        return true;
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description =
                    "Check rule files: YAML, the rule schema, names, durations, expressions against the event schemas, and Flink CEP's own checks.")
    static final class Validate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(
                arity = "1..*",
                paramLabel = "PATH",
                description = "Rule files or directories (searched recursively).")
        List<Path> paths;

        @Override
        public Integer call() {
            RuleLoader.Loaded loaded = load(paths);
            if (!report(loaded, spec.commandLine().getErr())) {
                return PROBLEMS;
            }
            spec.commandLine().getOut().printf("%d rule(s) valid.%n", loaded.rules().size());
            return OK;
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description =
                    "Run each rule's fixtures (<rule>.fixtures/<case>.events.jsonl -> <case>.alerts.jsonl) through the compiled pattern on an embedded Flink.")
    static final class Test implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(
                arity = "1..*",
                paramLabel = "PATH",
                description = "Rule files or directories (searched recursively).")
        List<Path> paths;

        @Option(names = "--require-fixtures", description = "Fail when a rule has no fixtures.")
        boolean requireFixtures;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            RuleLoader.Loaded loaded = load(paths);
            if (!report(loaded, err)) {
                return PROBLEMS;
            }
            return runFixtures(loaded, out, err, requireFixtures) ? OK : PROBLEMS;
        }

        /** Runs the rules' fixtures, printing each outcome; whether every one passed. */
        static boolean runFixtures(
                RuleLoader.Loaded loaded, PrintWriter out, PrintWriter err, boolean requireFixtures)
                throws Exception {
            List<FixtureCase> cases = new ArrayList<>();
            int withoutFixtures = 0;
            for (Rule rule : loaded.rules()) {
                List<FixtureCase> ruleCases = FixtureCase.of(rule);
                if (ruleCases.isEmpty()) {
                    withoutFixtures++;
                    (requireFixtures ? err : out)
                            .printf(
                                    "%s  %s: no fixtures (%s.fixtures/)%n",
                                    requireFixtures ? "FAIL" : "SKIP",
                                    rule.id(),
                                    rule.file().replaceFirst("\\.ya?ml$", ""));
                }
                cases.addAll(ruleCases);
            }
            List<FixtureRunner.Outcome> outcomes = FixtureRunner.run(localFlink(), cases);
            int failed = 0;
            for (FixtureRunner.Outcome outcome : outcomes) {
                if (outcome.passed()) {
                    out.printf("PASS  %s%n", outcome.fixture().title());
                    continue;
                }
                failed++;
                err.printf(
                        "FAIL  %s  (%s)%n", outcome.fixture().title(), outcome.fixture().events());
                if (outcome.error() != null) {
                    err.printf("      %s%n", outcome.error());
                }
                outcome.missing()
                        .forEach(m -> err.printf("      - expected, not raised:  %s%n", m));
                outcome.unexpected()
                        .forEach(u -> err.printf("      + raised, not expected:  %s%n", u));
            }
            out.printf(
                    "%d case(s) passed, %d failed, %d rule(s) without fixtures.%n",
                    outcomes.size() - failed, failed, withoutFixtures);
            return failed == 0 && !(requireFixtures && withoutFixtures > 0);
        }

        private static StreamExecutionEnvironment localFlink() {
            Configuration config = new Configuration();
            config.set(RestOptions.BIND_PORT, "0");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(1, config);
            env.getConfig().disableGenericTypes();
            return env;
        }
    }

    @Command(
            name = "explain",
            mixinStandardHelpOptions = true,
            description =
                    "Print each rule as Flink CEP will run it: the Pattern API calls and the compiled NFA.")
    static final class Explain implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Rule files or directories.")
        List<Path> paths;

        @Option(names = "--rule", description = "Only the rule with this id.")
        String ruleId;

        @Override
        public Integer call() {
            RuleLoader.Loaded loaded = load(paths);
            if (!report(loaded, spec.commandLine().getErr())) {
                return PROBLEMS;
            }
            List<Rule> rules =
                    loaded.rules().stream()
                            .filter(r -> ruleId == null || r.id().equals(ruleId))
                            .toList();
            if (rules.isEmpty()) {
                spec.commandLine().getErr().printf("no rule with id '%s'%n", ruleId);
                return PROBLEMS;
            }
            rules.forEach(
                    rule -> spec.commandLine().getOut().println(PatternExplainer.explain(rule)));
            return OK;
        }
    }
}
