package io.tributary.cep.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.tributary.cep.flink.FlinkInternals;
import io.tributary.cep.rules.Rule.AfterMatch;
import io.tributary.cep.rules.Rule.AlertTemplate;
import io.tributary.cep.rules.Rule.Contiguity;
import io.tributary.cep.rules.Rule.Looping;
import io.tributary.cep.rules.Rule.Quantifier;
import io.tributary.cep.rules.Rule.Step;
import io.tributary.schemas.Domain;
import io.tributary.schemas.EventType;
import io.tributary.schemas.EventTypes;
import io.tributary.schemas.alerts.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.cep.pattern.MalformedPatternException;

/**
 * Reads rule files and checks everything that can be checked before deployment: YAML syntax, the
 * published JSON Schema ({@code rules/rule.schema.json}), names, durations, the pattern's shape,
 * every expression against the Avro schemas, and finally Flink CEP's own pattern compiler. Every
 * problem is reported as {@code file:line:column: message}; a set of rules with any problem is
 * never deployed.
 */
public final class RuleLoader {
    private static final JsonSchema SCHEMA = loadSchema();
    private static final Pattern AFTER_MATCH =
            Pattern.compile("(skipToFirst|skipToLast)\\((.+)\\)");
    private static final List<String> STEP_KEYWORDS =
            Stream.of(Contiguity.values()).map(Contiguity::keyword).toList();

    private RuleLoader() {}

    /**
     * Rules and the problems found; rules are usable only when there is no problem. Warnings say
     * what is allowed but risky (a pattern whose partial matches can grow without bound).
     */
    public record Loaded(List<Rule> rules, List<RuleProblem> problems, List<RuleProblem> warnings) {
        public Loaded(List<Rule> rules, List<RuleProblem> problems) {
            this(rules, problems, List.of());
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        /** The rules, or an exception listing every problem. */
        public List<Rule> rulesOrThrow() {
            if (!ok()) {
                throw new InvalidRulesException(problems);
            }
            return rules;
        }
    }

    /** Thrown where a job is given rules that do not validate. */
    public static final class InvalidRulesException extends IllegalArgumentException {
        private final List<RuleProblem> problems;

        public InvalidRulesException(List<RuleProblem> problems) {
            super(
                    problems.size()
                            + " problem(s) in the rule files:\n"
                            + problems.stream()
                                    .map(RuleProblem::toString)
                                    .collect(Collectors.joining("\n")));
            this.problems = List.copyOf(problems);
        }

        public List<RuleProblem> problems() {
            return problems;
        }
    }

    /** The rule files of a directory (recursively; fixture directories skipped), or one file. */
    public static List<Path> ruleFiles(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
                    .filter(f -> !isInFixtures(path.relativize(f)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list rule files in " + path, e);
        }
    }

    private static boolean isInFixtures(Path relative) {
        for (Path part : relative) {
            if (part.toString().endsWith(".fixtures")) {
                return true;
            }
        }
        return false;
    }

    /** Loads every rule file under the path; rule ids must be unique across them. */
    public static Loaded load(Path path) {
        if (!Files.exists(path)) {
            return new Loaded(
                    List.of(),
                    List.of(new RuleProblem(path.toString(), 1, 1, "no such file or directory")));
        }
        List<Path> files = ruleFiles(path);
        if (files.isEmpty()) {
            return new Loaded(
                    List.of(),
                    List.of(new RuleProblem(path.toString(), 1, 1, "no rule files (*.yaml) here")));
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                texts.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return loadTexts(texts);
    }

    /** Loads rule files given as text, by file name (tests, and the loader itself). */
    public static Loaded loadTexts(Map<String, String> texts) {
        List<Rule> rules = new ArrayList<>();
        List<RuleProblem> problems = new ArrayList<>();
        List<RuleProblem> warnings = new ArrayList<>();
        Map<String, RuleProblem> firstById = new HashMap<>();
        texts.forEach(
                (file, text) -> {
                    List<RuleProblem> fileProblems = new ArrayList<>();
                    YamlDocument doc =
                            YamlDocument.parse(file, new StringReader(text), fileProblems);
                    Rule rule = doc == null ? null : read(doc, fileProblems, warnings);
                    if (rule != null) {
                        RuleProblem idAt = doc.problemAt("/id", "");
                        RuleProblem first = firstById.putIfAbsent(rule.id(), idAt);
                        if (first != null) {
                            fileProblems.add(
                                    doc.problemAt(
                                            "/id",
                                            "rule id '"
                                                    + rule.id()
                                                    + "' is already used by "
                                                    + first.file()
                                                    + ":"
                                                    + first.line()
                                                    + "; rule ids must be unique"));
                        } else if (fileProblems.isEmpty()) {
                            rules.add(rule);
                        }
                    }
                    problems.addAll(fileProblems);
                });
        Collections.sort(problems);
        Collections.sort(warnings);
        return new Loaded(
                problems.isEmpty() ? List.copyOf(rules) : List.of(),
                List.copyOf(problems),
                List.copyOf(warnings));
    }

    /** One file, as text. */
    public static Loaded loadText(String file, String text) {
        return loadTexts(Map.of(file, text));
    }

    private static Rule read(
            YamlDocument doc, List<RuleProblem> problems, List<RuleProblem> warnings) {
        if (!doc.root().isObject()) {
            problems.add(
                    doc.problemAt(
                            "",
                            "a rule file holds one rule: a mapping with id, version, pattern, alert, ..."));
            return null;
        }
        if (!schemaValid(doc, problems)) {
            return null;
        }
        return new RuleReader(doc, problems, warnings).read();
    }

    private static boolean schemaValid(YamlDocument doc, List<RuleProblem> problems) {
        Set<ValidationMessage> messages = SCHEMA.validate(doc.root());
        Map<String, List<ValidationMessage>> byPointer = new TreeMap<>();
        for (ValidationMessage message : messages) {
            byPointer
                    .computeIfAbsent(
                            pointer(message.getInstanceLocation()) + "|" + message.getProperty(),
                            k -> new ArrayList<>())
                    .add(message);
        }
        for (List<ValidationMessage> group : byPointer.values()) {
            // A value that fits neither alternative of a oneOf reports both; the specific one is
            // enough.
            ValidationMessage best =
                    group.stream()
                            .filter(
                                    m ->
                                            !m.getType().equals("oneOf")
                                                    && !m.getType().equals("type"))
                            .findFirst()
                            .orElse(group.get(0));
            problems.add(explain(doc, best));
        }
        return messages.isEmpty();
    }

    private static RuleProblem explain(YamlDocument doc, ValidationMessage message) {
        String pointer = pointer(message.getInstanceLocation());
        String name =
                pointer.isEmpty()
                        ? "the rule"
                        : "'" + pointer.substring(pointer.lastIndexOf('/') + 1) + "'";
        JsonNode value = message.getInstanceNode();
        Object[] args = message.getArguments() == null ? new Object[0] : message.getArguments();
        return switch (message.getType()) {
            case "additionalProperties" ->
                    doc.problemAtKey(
                            pointer + "/" + message.getProperty(),
                            "unknown field '" + message.getProperty() + "'" + allowedAt(pointer));
            case "required" ->
                    doc.problemAt(
                            pointer,
                            "missing required field '"
                                    + message.getProperty()
                                    + "'"
                                    + (pointer.isEmpty() ? "" : " in " + name));
            case "type" ->
                    doc.problemAt(
                            pointer,
                            name
                                    + " must be "
                                    + article(String.valueOf(args.length > 1 ? args[1] : "?"))
                                    + ", not "
                                    + article(String.valueOf(args.length > 0 ? args[0] : "?")));
            case "enum" ->
                    doc.problemAt(
                            pointer,
                            shown(value)
                                    + " is not a valid "
                                    + name.replace("'", "")
                                    + "; expected one of "
                                    + String.valueOf(args.length > 0 ? args[0] : "")
                                            .replace("\"", ""));
            case "pattern" ->
                    doc.problemAt(pointer, shown(value) + " is not " + patternMeaning(pointer));
            case "minimum" ->
                    doc.problemAt(
                            pointer,
                            name + " must be at least " + (args.length > 0 ? args[0] : "1"));
            case "minItems" -> doc.problemAt(pointer, name + " needs at least one entry");
            case "minLength" -> doc.problemAt(pointer, name + " must not be empty");
            case "uniqueItems" -> doc.problemAt(pointer, name + " lists an entry twice");
            default -> doc.problemAt(pointer, message.getMessage().replaceFirst("^\\$[^:]*: ", ""));
        };
    }

    private static String allowedAt(String pointer) {
        String where = pointer.replaceAll("/[0-9]+", "/*");
        List<String> names =
                switch (where) {
                    case "" ->
                            List.of(
                                    "id",
                                    "version",
                                    "description",
                                    "severity",
                                    "owner",
                                    "input",
                                    "key",
                                    "within",
                                    "afterMatch",
                                    "pattern",
                                    "alert");
                    case "/pattern/*" ->
                            List.of(
                                    "begin",
                                    "next",
                                    "followedBy",
                                    "followedByAny",
                                    "notNext",
                                    "notFollowedBy",
                                    "type",
                                    "where",
                                    "times",
                                    "timesOrMore",
                                    "oneOrMore",
                                    "optional",
                                    "greedy",
                                    "consecutive",
                                    "allowCombinations",
                                    "until");
                    case "/alert" -> List.of("summary", "fields");
                    case "/pattern/*/times" -> List.of("from", "to");
                    default -> List.of();
                };
        return names.isEmpty() ? "" : "; expected one of: " + String.join(", ", names);
    }

    private static String patternMeaning(String pointer) {
        if (pointer.equals("/id")) {
            return "a valid rule id: use lower-case letters, digits and '-', starting with a letter";
        }
        if (pointer.equals("/within")) {
            return "a duration; write it like 500ms, 60s, 15m, 48h or 1h30m";
        }
        if (pointer.equals("/afterMatch")) {
            return "an after-match strategy: noSkip, skipToNext, skipPastLastEvent, skipToFirst(step) or skipToLast(step)";
        }
        return "a valid step name: letters, digits and '_', starting with a letter";
    }

    private static String shown(JsonNode value) {
        return value == null
                ? "the value"
                : value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
    }

    private static String article(String type) {
        String plain = type.replace("[", "").replace("]", "").replace("\"", "").replace(",", " or");
        return (plain.matches("^[aeio].*") ? "an " : "a ") + plain;
    }

    private static String pointer(JsonNodePath path) {
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            pointer.append('/')
                    .append(
                            String.valueOf(path.getElement(i))
                                    .replace("~", "~0")
                                    .replace("/", "~1"));
        }
        return pointer.toString();
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = RuleLoader.class.getResourceAsStream("rule.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("rule.schema.json is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Binds one schema-valid document to a {@link Rule}, collecting every semantic problem. */
    private static final class RuleReader {
        private final YamlDocument doc;
        private final JsonNode root;
        private final List<RuleProblem> problems;
        private final List<RuleProblem> warnings;
        private final int problemsBefore;

        RuleReader(YamlDocument doc, List<RuleProblem> problems, List<RuleProblem> warnings) {
            this.doc = doc;
            this.root = doc.root();
            this.problems = problems;
            this.warnings = warnings;
            this.problemsBefore = problems.size();
        }

        Rule read() {
            Set<EventType> inputs = eventTypes(root.get("input"), "/input");
            Domain domain = domainOf(inputs);
            List<String> key = new ArrayList<>();
            JsonNode keyNode = root.get("key");
            if (keyNode.isTextual()) {
                key.add(keyNode.textValue());
            } else {
                keyNode.forEach(k -> key.add(k.textValue()));
            }
            if (domain != null) {
                for (int i = 0; i < key.size(); i++) {
                    EventFields.Field field = EventFields.of(domain).get(key.get(i));
                    if (field == null || field.kind() != EventFields.Kind.PAYLOAD) {
                        problem(
                                keyNode.isTextual() ? "/key" : "/key/" + i,
                                "key '"
                                        + key.get(i)
                                        + "' is not a field of "
                                        + lower(domain)
                                        + " events; use one of: "
                                        + EventFields.of(domain).values().stream()
                                                .filter(f -> f.kind() == EventFields.Kind.PAYLOAD)
                                                .map(EventFields.Field::name)
                                                .collect(Collectors.joining(", ")));
                    }
                }
            }
            Duration within = null;
            if (root.has("within")) {
                within = Durations.parse(root.get("within").textValue());
                if (within == null || within.isNegative() || within.isZero()) {
                    problem(
                            "/within",
                            "'within' must be a positive duration such as 60s, 15m or 48h, not '"
                                    + root.get("within").textValue()
                                    + "'");
                    within = null;
                }
            }
            List<Step> steps = steps(inputs, domain, within, root.has("within"));
            AfterMatch afterMatch = afterMatch(steps);
            AlertTemplate alert = domain == null ? null : alert(domain, steps);
            if (problems.size() > problemsBefore) {
                return null;
            }
            Rule rule =
                    new Rule(
                            root.get("id").textValue(),
                            root.get("version").intValue(),
                            root.get("description").textValue(),
                            Severity.valueOf(root.get("severity").textValue()),
                            root.get("owner").textValue(),
                            inputs,
                            domain,
                            List.copyOf(key),
                            within,
                            afterMatch,
                            steps,
                            alert,
                            doc.file());
            try {
                FlinkInternals.checkRunnable(PatternCompiler.compile(rule));
            } catch (MalformedPatternException e) {
                problem("/pattern", "Flink CEP cannot run this pattern: " + e.getMessage());
                return null;
            }
            return rule;
        }

        private Set<EventType> eventTypes(JsonNode node, String pointer) {
            Set<EventType> types = EnumSet.noneOf(EventType.class);
            if (node.isTextual()) {
                types.add(EventType.valueOf(node.textValue()));
            } else {
                node.forEach(t -> types.add(EventType.valueOf(t.textValue())));
            }
            return types;
        }

        private Domain domainOf(Set<EventType> inputs) {
            Set<Domain> domains =
                    inputs.stream()
                            .map(EventTypes::domain)
                            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Domain.class)));
            if (domains.size() != 1) {
                problem(
                        "/input",
                        "a rule looks at events of one domain, but 'input' mixes "
                                + inputs.stream()
                                        .map(t -> t + " (" + lower(EventTypes.domain(t)) + ")")
                                        .collect(Collectors.joining(", ")));
                return null;
            }
            return domains.iterator().next();
        }

        private List<Step> steps(
                Set<EventType> inputs, Domain domain, Duration within, boolean withinGiven) {
            JsonNode pattern = root.get("pattern");
            List<Step> steps = new ArrayList<>();
            Map<String, Integer> indexByName = new LinkedHashMap<>();
            List<Contiguity> contiguities = new ArrayList<>();
            for (int i = 0; i < pattern.size(); i++) {
                JsonNode node = pattern.get(i);
                String at = "/pattern/" + i;
                List<String> kinds = new ArrayList<>();
                node.fieldNames()
                        .forEachRemaining(
                                f -> {
                                    if (STEP_KEYWORDS.contains(f)) {
                                        kinds.add(f);
                                    }
                                });
                if (kinds.size() != 1) {
                    problem(
                            at,
                            kinds.isEmpty()
                                    ? "a step starts with one of "
                                            + String.join(", ", STEP_KEYWORDS)
                                            + " and its name, e.g. 'followedBy: paid'"
                                    : "a step names exactly one of "
                                            + String.join(", ", STEP_KEYWORDS)
                                            + ", but this one has "
                                            + String.join(" and ", kinds));
                    contiguities.add(null);
                    continue;
                }
                Contiguity contiguity =
                        Stream.of(Contiguity.values())
                                .filter(c -> c.keyword().equals(kinds.get(0)))
                                .findFirst()
                                .orElseThrow();
                String name = node.get(kinds.get(0)).textValue();
                if (i == 0 && contiguity != Contiguity.BEGIN) {
                    problemAtKey(
                            at + "/" + kinds.get(0),
                            "the first step must be 'begin: <name>', not '" + kinds.get(0) + "'");
                } else if (i > 0 && contiguity == Contiguity.BEGIN) {
                    problemAtKey(
                            at + "/begin",
                            "only the first step uses 'begin'; later steps use next, followedBy, followedByAny, notNext or notFollowedBy");
                }
                if (name.equals(RuleExpressions.EVENT) || name.equals(RuleExpressions.KEY)) {
                    problem(
                            at + "/" + kinds.get(0),
                            "'" + name + "' is reserved in expressions; choose another step name");
                }
                Integer previous = indexByName.putIfAbsent(name, i);
                if (previous != null) {
                    problem(
                            at + "/" + kinds.get(0),
                            "step name '"
                                    + name
                                    + "' is already used by step "
                                    + (previous + 1)
                                    + "; step names must be unique");
                }
                contiguities.add(contiguity);
            }
            List<String> names = new ArrayList<>(indexByName.keySet());
            for (int i = 0; i < pattern.size(); i++) {
                Contiguity contiguity = contiguities.get(i);
                if (contiguity == null) {
                    continue;
                }
                Step step =
                        step(
                                pattern.get(i),
                                "/pattern/" + i,
                                i,
                                contiguity,
                                inputs,
                                domain,
                                contiguities,
                                pattern);
                if (step != null) {
                    steps.add(step);
                }
            }
            if (!contiguities.isEmpty()
                    && contiguities.get(contiguities.size() - 1) == Contiguity.NOT_FOLLOWED_BY
                    && !withinGiven) {
                problemAtKey(
                        "/pattern/" + (contiguities.size() - 1) + "/notFollowedBy",
                        "a pattern that ends with notFollowedBy needs 'within': how long to wait for the event that must not come");
            } else if (!withinGiven) {
                // Flink CEP drops a partial match only when its window runs out; without one, a
                // pattern that starts but never completes keeps its events in state forever.
                problem(
                        "",
                        "missing 'within': every rule bounds how long a match may take (e.g. within: 10m),"
                                + " or partial matches that never complete stay in state forever");
            }
            if (names.size() != pattern.size()) {
                return List.of();
            }
            return steps;
        }

        private Step step(
                JsonNode node,
                String at,
                int index,
                Contiguity contiguity,
                Set<EventType> inputs,
                Domain domain,
                List<Contiguity> contiguities,
                JsonNode pattern) {
            String name = node.get(contiguity.keyword()).textValue();
            Set<EventType> types = inputs;
            if (node.has("type")) {
                types = eventTypes(node.get("type"), at + "/type");
                Set<EventType> outside = EnumSet.copyOf(types);
                outside.removeAll(inputs);
                if (!outside.isEmpty()) {
                    problem(
                            at + "/type",
                            "type "
                                    + outside
                                    + " is not in the rule's input "
                                    + inputs
                                    + "; add it to 'input' or the step never matches");
                }
            }
            List<String> quantifiers =
                    Stream.of("times", "timesOrMore", "oneOrMore").filter(node::has).toList();
            Quantifier quantifier = Quantifier.ONCE;
            if (quantifiers.size() > 1) {
                problemAtKey(
                        at + "/" + quantifiers.get(1),
                        "a step repeats in one way only; it has both "
                                + String.join(" and ", quantifiers));
            } else if (node.has("times")) {
                JsonNode times = node.get("times");
                if (times.isInt() || times.isLong()) {
                    quantifier =
                            new Quantifier(
                                    Quantifier.Kind.TIMES, times.intValue(), times.intValue());
                } else {
                    int from = times.get("from").intValue();
                    int to = times.get("to").intValue();
                    if (from > to) {
                        problem(
                                at + "/times",
                                "times from "
                                        + from
                                        + " to "
                                        + to
                                        + ": 'from' must not be larger than 'to'");
                    }
                    quantifier = new Quantifier(Quantifier.Kind.TIMES, from, to);
                }
            } else if (node.has("timesOrMore")) {
                int from = node.get("timesOrMore").intValue();
                quantifier = new Quantifier(Quantifier.Kind.TIMES_OR_MORE, from, Integer.MAX_VALUE);
            } else if (node.path("oneOrMore").asBoolean(false)) {
                quantifier = new Quantifier(Quantifier.Kind.ONE_OR_MORE, 1, Integer.MAX_VALUE);
            }
            boolean optional = node.path("optional").asBoolean(false);
            boolean greedy = node.path("greedy").asBoolean(false);
            boolean consecutive = node.path("consecutive").asBoolean(false);
            boolean combinations = node.path("allowCombinations").asBoolean(false);
            boolean looping = quantifier.looping();
            for (String option : List.of("greedy", "consecutive", "allowCombinations", "until")) {
                if (node.has(option)
                        && !looping
                        && !(node.get(option).isBoolean() && !node.get(option).booleanValue())) {
                    problemAtKey(
                            at + "/" + option,
                            "'"
                                    + option
                                    + "' only applies to a step that repeats (times, timesOrMore or oneOrMore)");
                }
            }
            if (greedy && looping && index == contiguities.size() - 1) {
                // FLINK-10587: the NFA completes a match on a last step as soon as its minimum is
                // reached, so the option would promise what the job never does.
                problemAtKey(
                        at + "/greedy",
                        "'greedy' has no effect on the last step: Flink CEP completes the match as soon as"
                                + " the step's minimum is reached (FLINK-10587). Remove it, or add a step after"
                                + " this one");
            }
            if (consecutive && combinations) {
                problemAtKey(
                        at + "/allowCombinations",
                        "a repeating step is either consecutive or allowCombinations, not both");
            }
            if (contiguity.negated() && (looping || optional)) {
                problem(
                        at,
                        "a "
                                + contiguity.keyword()
                                + " step says an event must not occur; it cannot repeat or be optional");
            }
            if (contiguity.negated()
                    && index == contiguities.size() - 1
                    && contiguity == Contiguity.NOT_NEXT) {
                problemAtKey(
                        at + "/notNext",
                        "a pattern cannot end with notNext; use notFollowedBy with 'within', or add a step after it");
            }
            Map<String, String> hidden = new LinkedHashMap<>();
            List<String> visible = new ArrayList<>();
            for (int j = 0; j < contiguities.size(); j++) {
                JsonNode other = pattern.get(j);
                Contiguity c = contiguities.get(j);
                if (c == null) {
                    continue;
                }
                String otherName = other.get(c.keyword()).textValue();
                if (j == index) {
                    if (looping) {
                        visible.add(otherName);
                    } else {
                        hidden.put(
                                otherName,
                                "a step's condition sees its own candidate as 'event', not '"
                                        + otherName
                                        + "'");
                    }
                } else if (j > index) {
                    hidden.put(
                            otherName,
                            "step '"
                                    + otherName
                                    + "' comes later in the pattern; a condition can only use steps before it");
                } else if (c.negated()) {
                    hidden.put(
                            otherName,
                            "step '"
                                    + otherName
                                    + "' is a "
                                    + c.keyword()
                                    + " step and never holds an event");
                } else {
                    visible.add(otherName);
                }
            }
            String where = expression(node, at + "/where", domain, visible, hidden);
            String until = expression(node, at + "/until", domain, visible, hidden);
            List<String> referenced = new ArrayList<>();
            if (domain != null) {
                for (String expression : new String[] {where, until}) {
                    if (expression != null) {
                        RuleExpressions.Checked checked =
                                RuleExpressions.check(
                                        new RuleExpressions.Scope(domain, visible, hidden, false),
                                        expression,
                                        true);
                        checked.roots().stream()
                                .filter(visible::contains)
                                .filter(r -> !referenced.contains(r))
                                .forEach(referenced::add);
                    }
                }
            }
            Looping inner =
                    consecutive
                            ? Looping.CONSECUTIVE
                            : combinations ? Looping.ALLOW_COMBINATIONS : Looping.RELAXED;
            boolean unboundedRepeat =
                    quantifier.kind() != Quantifier.Kind.TIMES
                            && quantifier.looping()
                            && !consecutive
                            && until == null;
            if (unboundedRepeat || combinations || contiguity == Contiguity.FOLLOWED_BY_ANY) {
                warning(
                        at,
                        "step '"
                                + name
                                + "' can start a partial match with every event it takes and keep all of them until 'within'"
                                + " runs out ("
                                + (contiguity == Contiguity.FOLLOWED_BY_ANY
                                        ? "followedByAny"
                                        : combinations
                                                ? "allowCombinations"
                                                : quantifier.kind() == Quantifier.Kind.ONE_OR_MORE
                                                        ? "a relaxed oneOrMore"
                                                        : "a relaxed timesOrMore")
                                + "): one busy key can hold thousands. The job cuts the oldest beyond --max-partial-matches per key;"
                                + " 'consecutive', 'until', 'times: {from, to}' or a shorter 'within' bound it in the rule itself");
            }
            return new Step(
                    name,
                    contiguity,
                    types,
                    where,
                    quantifier,
                    optional,
                    greedy,
                    inner,
                    until,
                    List.copyOf(referenced));
        }

        private String expression(
                JsonNode step,
                String pointer,
                Domain domain,
                List<String> visible,
                Map<String, String> hidden) {
            String field = pointer.substring(pointer.lastIndexOf('/') + 1);
            if (!step.has(field)) {
                return null;
            }
            String text = step.get(field).textValue();
            if (domain == null) {
                return text;
            }
            RuleExpressions.Checked checked =
                    RuleExpressions.check(
                            new RuleExpressions.Scope(domain, visible, hidden, false), text, true);
            for (RuleExpressions.Issue issue : checked.issues()) {
                problems.add(
                        doc.problemInside(
                                pointer,
                                issue.line(),
                                issue.column(),
                                "in '" + field + "': " + issue.message()));
            }
            return text;
        }

        private AfterMatch afterMatch(List<Step> steps) {
            if (!root.has("afterMatch")) {
                return AfterMatch.NO_SKIP;
            }
            String text = root.get("afterMatch").textValue();
            Matcher toStep = AFTER_MATCH.matcher(text);
            if (toStep.matches()) {
                String step = toStep.group(2);
                if (steps.stream().noneMatch(s -> s.name().equals(step))) {
                    problem(
                            "/afterMatch",
                            "afterMatch refers to unknown step '"
                                    + step
                                    + "'; steps are: "
                                    + steps.stream()
                                            .map(Step::name)
                                            .collect(Collectors.joining(", ")));
                }
                return new AfterMatch(
                        toStep.group(1).equals("skipToFirst")
                                ? AfterMatch.Kind.SKIP_TO_FIRST
                                : AfterMatch.Kind.SKIP_TO_LAST,
                        step);
            }
            return switch (text) {
                case "skipToNext" -> new AfterMatch(AfterMatch.Kind.SKIP_TO_NEXT, null);
                case "skipPastLastEvent" ->
                        new AfterMatch(AfterMatch.Kind.SKIP_PAST_LAST_EVENT, null);
                default -> AfterMatch.NO_SKIP;
            };
        }

        private AlertTemplate alert(Domain domain, List<Step> steps) {
            List<String> visible =
                    steps.stream().filter(s -> !s.contiguity().negated()).map(Step::name).toList();
            Map<String, String> hidden = new LinkedHashMap<>();
            steps.stream()
                    .filter(s -> s.contiguity().negated())
                    .forEach(
                            s ->
                                    hidden.put(
                                            s.name(),
                                            "step '"
                                                    + s.name()
                                                    + "' is a "
                                                    + s.contiguity().keyword()
                                                    + " step and never holds an event"));
            RuleExpressions.Scope scope = new RuleExpressions.Scope(domain, visible, hidden, true);
            JsonNode alert = root.get("alert");
            String summary = alert.get("summary").textValue();
            checkTemplate(scope, "/alert/summary", summary);
            Map<String, String> fields = new LinkedHashMap<>();
            JsonNode fieldNodes = alert.path("fields");
            for (Iterator<Map.Entry<String, JsonNode>> it = fieldNodes.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                fields.put(field.getKey(), field.getValue().textValue());
                checkTemplate(
                        scope, "/alert/fields/" + field.getKey(), field.getValue().textValue());
            }
            return new AlertTemplate(summary, Collections.unmodifiableMap(fields));
        }

        private void checkTemplate(RuleExpressions.Scope scope, String pointer, String text) {
            Template template;
            try {
                template = Template.parse(text);
            } catch (Template.Unclosed e) {
                problems.add(doc.problemInside(pointer, 1, e.offset() + 1, e.getMessage()));
                return;
            }
            for (Template.Part part : template.parts()) {
                if (!part.expression()) {
                    continue;
                }
                RuleExpressions.Checked checked = RuleExpressions.check(scope, part.text(), false);
                for (RuleExpressions.Issue issue : checked.issues()) {
                    problems.add(
                            doc.problemInside(
                                    pointer,
                                    1,
                                    part.offset() + issue.column(),
                                    "in '${" + part.text() + "}': " + issue.message()));
                }
            }
        }

        private void problem(String pointer, String message) {
            problems.add(doc.problemAt(pointer, message));
        }

        private void warning(String pointer, String message) {
            RuleProblem at = doc.problemAt(pointer, message);
            warnings.add(new RuleProblem(at.file(), at.line(), at.column(), "warning: " + message));
        }

        private void problemAtKey(String pointer, String message) {
            problems.add(doc.problemAtKey(pointer, message));
        }

        private static String lower(Domain domain) {
            return domain.name().toLowerCase(Locale.ROOT);
        }
    }
}
