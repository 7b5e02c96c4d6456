package io.tributary.cep.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.tributary.schemas.Domain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The expression language of rules: CEL (the Common Expression Language, google/cel-java) with its
 * standard functions, string and math extensions, and no access to anything but the event fields
 * declared here. CEL is side-effect free and always terminates; there is no way to call Java from a
 * rule.
 *
 * <p>A condition sees {@code event.<field>} and {@code <step>.<field>} for each earlier step (its
 * first event). An alert template sees every step's fields, {@code <step>.count} and {@code key}.
 */
public final class RuleExpressions {
    public static final String EVENT = "event";
    public static final String KEY = "key";
    public static final String COUNT = "count";

    private static final CelOptions OPTIONS = CelOptions.current().build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder()
                    .setOptions(OPTIONS)
                    .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS))
                    .build();

    private RuleExpressions() {}

    /**
     * What an expression may refer to.
     *
     * @param steps the steps it can see, by name
     * @param hiddenSteps steps of the rule it cannot see, with the reason (for the message)
     * @param alert an alert template (no {@code event}; counts and the key instead)
     */
    public record Scope(
            Domain domain, List<String> steps, Map<String, String> hiddenSteps, boolean alert) {}

    /**
     * A problem inside an expression; line and column start at 1 and count within the expression.
     */
    public record Issue(int line, int column, String message) {}

    /** A type-checked expression, or why there is none. */
    public record Checked(CelAbstractSyntaxTree ast, List<Issue> issues, Set<String> roots) {
        Checked(CelAbstractSyntaxTree ast, List<Issue> issues) {
            this(ast, issues, Set.of());
        }

        public boolean ok() {
            return issues.isEmpty();
        }
    }

    /** Parses and type-checks; a condition must be a bool. */
    public static Checked check(Scope scope, String expression, boolean condition) {
        CelCompiler compiler = compiler(scope);
        CelValidationResult parsed = compiler.parse(expression);
        if (parsed.hasError()) {
            return failed(parsed.getErrors(), "syntax error: ");
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = parsed.getAst();
        } catch (CelValidationException e) {
            return new Checked(null, List.of(new Issue(1, 1, e.getMessage())));
        }
        List<Issue> names = checkNames(scope, ast);
        if (!names.isEmpty()) {
            return new Checked(null, names);
        }
        CelValidationResult checked = compiler.check(ast);
        if (checked.hasError()) {
            return failed(checked.getErrors(), "");
        }
        try {
            CelAbstractSyntaxTree typed = checked.getAst();
            CelType result = typed.getResultType();
            if (condition && !result.equals(SimpleType.BOOL) && !result.equals(SimpleType.DYN)) {
                return new Checked(
                        null,
                        List.of(
                                new Issue(
                                        1,
                                        1,
                                        "a condition must be true or false, but this expression gives a "
                                                + describe(result))));
            }
            return new Checked(typed, List.of(), roots(ast));
        } catch (CelValidationException e) {
            return new Checked(null, List.of(new Issue(1, 1, e.getMessage())));
        }
    }

    /** A program for a checked expression; programs are immutable and thread-safe. */
    public static CelRuntime.Program program(CelAbstractSyntaxTree ast) {
        try {
            return RUNTIME.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw new IllegalStateException(
                    "checked expression has no program: " + e.getMessage(), e);
        }
    }

    /**
     * Re-checks an expression that {@link #check} accepted before (after deserialization). Rules
     * copied per market or per team repeat the same expressions; checking one takes about a
     * millisecond, so a hundred rules on each subtask would spend seconds of the job's start on the
     * same few texts. Programs are immutable, so each text is checked once per JVM.
     */
    public static CelRuntime.Program recompile(Scope scope, String expression, boolean condition) {
        return PROGRAMS.computeIfAbsent(
                new Compiled(scope, expression, condition),
                key -> {
                    Checked checked = check(scope, expression, condition);
                    if (!checked.ok()) {
                        throw new IllegalStateException(
                                "expression no longer checks: "
                                        + expression
                                        + ": "
                                        + checked.issues());
                    }
                    return program(checked.ast());
                });
    }

    private record Compiled(Scope scope, String expression, boolean condition) {}

    /**
     * One side of a {@link Comparison}: a field of the event ({@code step == null}) or of an
     * earlier step, or a literal ({@code field == null}).
     */
    public record Operand(String step, String field, Object literal) {}

    /** {@code left == right} ({@code equal}) or {@code left != right}, both sides of one type. */
    public record Comparison(Operand left, boolean equal, Operand right) {}

    /**
     * Whether a checked condition is nothing but comparisons joined by {@code &&}, each {@code ==}
     * or {@code !=} between fields of the event or of earlier steps, or a field and a literal of
     * the same type: {@code event.region == "eu-west"} (a rule narrowed to a market), {@code
     * event.value == first.value}. Such a condition is true exactly when every field it reads is
     * present and every comparison holds (CEL answers an absent field with an unknown, which no
     * {@code &&} turns true), which a caller can test without the interpreter and without reading
     * an earlier step once a comparison before it failed.
     */
    public static Optional<List<Comparison>> comparisons(Scope scope, String expression) {
        CelValidationResult parsed = compiler(scope).parse(expression);
        if (parsed.hasError()) {
            return Optional.empty();
        }
        try {
            List<Comparison> comparisons = new ArrayList<>();
            return collectComparisons(scope, parsed.getAst().getExpr(), comparisons)
                    ? Optional.of(comparisons)
                    : Optional.empty();
        } catch (CelValidationException e) {
            return Optional.empty();
        }
    }

    private static boolean collectComparisons(
            Scope scope, CelExpr expr, List<Comparison> comparisons) {
        if (expr.getKind() != CelExpr.ExprKind.Kind.CALL
                || expr.call().target().isPresent()
                || expr.call().args().size() != 2) {
            return false;
        }
        String function = expr.call().function();
        CelExpr left = expr.call().args().get(0);
        CelExpr right = expr.call().args().get(1);
        if (function.equals(dev.cel.parser.Operator.LOGICAL_AND.getFunction())) {
            return collectComparisons(scope, left, comparisons)
                    && collectComparisons(scope, right, comparisons);
        }
        boolean equal = function.equals(dev.cel.parser.Operator.EQUALS.getFunction());
        if (!equal && !function.equals(dev.cel.parser.Operator.NOT_EQUALS.getFunction())) {
            return false;
        }
        Map<String, EventFields.Field> fields = EventFields.of(scope.domain());
        Optional<Operand> leftOperand = operand(scope, fields, left);
        Optional<Operand> rightOperand = operand(scope, fields, right);
        if (leftOperand.isEmpty()
                || rightOperand.isEmpty()
                || (leftOperand.get().field() == null && rightOperand.get().field() == null)) {
            return false;
        }
        CelType leftType = type(fields, leftOperand.get());
        if (leftType == null || !leftType.equals(type(fields, rightOperand.get()))) {
            return false;
        }
        comparisons.add(new Comparison(leftOperand.get(), equal, rightOperand.get()));
        return true;
    }

    private static Optional<Operand> operand(
            Scope scope, Map<String, EventFields.Field> fields, CelExpr expr) {
        if (expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
            var constant = expr.constant();
            return switch (constant.getKind()) {
                case STRING_VALUE -> Optional.of(new Operand(null, null, constant.stringValue()));
                case INT64_VALUE -> Optional.of(new Operand(null, null, constant.int64Value()));
                case DOUBLE_VALUE -> Optional.of(new Operand(null, null, constant.doubleValue()));
                case BOOLEAN_VALUE -> Optional.of(new Operand(null, null, constant.booleanValue()));
                default -> Optional.empty();
            };
        }
        if (expr.getKind() != CelExpr.ExprKind.Kind.SELECT
                || expr.select().testOnly()
                || expr.select().operand().getKind() != CelExpr.ExprKind.Kind.IDENT
                || !fields.containsKey(expr.select().field())) {
            return Optional.empty();
        }
        String root = expr.select().operand().ident().name();
        if (root.equals(EVENT)) {
            return Optional.of(new Operand(null, expr.select().field(), null));
        }
        return scope.steps().contains(root)
                ? Optional.of(new Operand(root, expr.select().field(), null))
                : Optional.empty();
    }

    /** The operand's CEL type, or null for one a comparison without CEL does not handle. */
    private static CelType type(Map<String, EventFields.Field> fields, Operand operand) {
        CelType type;
        if (operand.field() != null) {
            type = fields.get(operand.field()).type();
        } else if (operand.literal() instanceof String) {
            type = SimpleType.STRING;
        } else if (operand.literal() instanceof Long) {
            type = SimpleType.INT;
        } else if (operand.literal() instanceof Double) {
            type = SimpleType.DOUBLE;
        } else {
            type = SimpleType.BOOL;
        }
        boolean simple =
                type.equals(SimpleType.STRING)
                        || type.equals(SimpleType.INT)
                        || type.equals(SimpleType.DOUBLE)
                        || type.equals(SimpleType.BOOL);
        return simple ? type : null;
    }

    private static final Map<Compiled, CelRuntime.Program> PROGRAMS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static CelCompiler compiler(Scope scope) {
        CelCompilerBuilder builder =
                CelCompilerFactory.standardCelCompilerBuilder()
                        .setOptions(OPTIONS)
                        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                        .addLibraries(CelExtensions.strings(), CelExtensions.math(OPTIONS));
        Map<String, EventFields.Field> fields = EventFields.of(scope.domain());
        List<String> roots = new ArrayList<>(scope.steps());
        if (!scope.alert()) {
            roots.add(EVENT);
        } else {
            builder.addVar(KEY, SimpleType.STRING);
        }
        for (String root : roots) {
            for (EventFields.Field field : fields.values()) {
                builder.addVar(root + "." + field.name(), field.type());
            }
            if (scope.alert()) {
                builder.addVar(root + "." + COUNT, SimpleType.INT);
            }
        }
        return builder.build();
    }

    /**
     * Names that cannot resolve, said in the rule's terms: an unknown step, a step that cannot be
     * seen from here, or a field the events do not have. CEL alone would only say "undeclared
     * reference".
     */
    private static List<Issue> checkNames(Scope scope, CelAbstractSyntaxTree ast) {
        Map<String, EventFields.Field> fields = EventFields.of(scope.domain());
        Set<String> roots = new HashSet<>(scope.steps());
        if (!scope.alert()) {
            roots.add(EVENT);
        }
        CelNavigableExpr root = CelNavigableAst.fromAst(ast).getRoot();
        Set<String> loopVariables = new HashSet<>();
        root.allNodes()
                .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION)
                .forEach(
                        n -> {
                            loopVariables.add(n.expr().comprehension().iterVar());
                            loopVariables.add(n.expr().comprehension().accuVar());
                        });
        List<Issue> issues = new ArrayList<>();
        root.allNodes()
                .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.SELECT)
                .forEach(
                        n -> {
                            CelExpr operand = n.expr().select().operand();
                            if (operand.getKind() != CelExpr.ExprKind.Kind.IDENT) {
                                return;
                            }
                            String name = operand.ident().name();
                            String field = n.expr().select().field();
                            if (loopVariables.contains(name)) {
                                return;
                            }
                            Issue at = issueAt(ast, operand.id(), "");
                            if (roots.contains(name)) {
                                if (!fields.containsKey(field)
                                        && !(scope.alert() && field.equals(COUNT))) {
                                    issues.add(
                                            new Issue(
                                                    at.line(),
                                                    at.column(),
                                                    "'"
                                                            + name
                                                            + "' has no field '"
                                                            + field
                                                            + "'; "
                                                            + scope.domain()
                                                                    .name()
                                                                    .toLowerCase(
                                                                            java.util.Locale.ROOT)
                                                            + " events have: "
                                                            + String.join(", ", fields.keySet())
                                                            + (scope.alert() ? ", count" : "")));
                                }
                            } else if (scope.hiddenSteps().containsKey(name)) {
                                issues.add(
                                        new Issue(
                                                at.line(),
                                                at.column(),
                                                scope.hiddenSteps().get(name)));
                            } else if (!(scope.alert() && name.equals(KEY))) {
                                issues.add(
                                        new Issue(
                                                at.line(),
                                                at.column(),
                                                "unknown step '"
                                                        + name
                                                        + "'; "
                                                        + (scope.alert()
                                                                ? ""
                                                                : "use 'event' for the event being matched, ")
                                                        + (scope.steps().isEmpty()
                                                                ? "no earlier step can be referred to here"
                                                                : "steps that can be referred to here: "
                                                                        + String.join(
                                                                                ", ",
                                                                                scope.steps()))));
                            }
                        });
        return issues;
    }

    /** The names an expression starts its field accesses from: event, steps. */
    private static Set<String> roots(CelAbstractSyntaxTree parsed) {
        Set<String> roots = new HashSet<>();
        CelNavigableAst.fromAst(parsed)
                .getRoot()
                .allNodes()
                .filter(n -> n.getKind() == CelExpr.ExprKind.Kind.SELECT)
                .map(n -> n.expr().select().operand())
                .filter(operand -> operand.getKind() == CelExpr.ExprKind.Kind.IDENT)
                .forEach(operand -> roots.add(operand.ident().name()));
        return roots;
    }

    private static Issue issueAt(CelAbstractSyntaxTree ast, long exprId, String message) {
        Integer offset = ast.getSource().getPositionsMap().get(exprId);
        if (offset == null) {
            return new Issue(1, 1, message);
        }
        Optional<CelSourceLocation> location = ast.getSource().getOffsetLocation(offset);
        return location.map(l -> new Issue(l.getLine(), l.getColumn() + 1, message))
                .orElse(new Issue(1, 1, message));
    }

    private static Checked failed(List<CelIssue> errors, String prefix) {
        List<Issue> issues = new ArrayList<>();
        for (CelIssue error : errors) {
            CelSourceLocation at = error.getSourceLocation();
            int line = at.getLine() > 0 ? at.getLine() : 1;
            int column = at.getColumn() >= 0 ? at.getColumn() + 1 : 1;
            issues.add(new Issue(line, column, prefix + plain(error.getMessage())));
        }
        return new Checked(null, issues);
    }

    /** CEL's messages name overloads (_==_, _+_); say what was compared instead. */
    private static String plain(String message) {
        return message.replaceAll(
                        "found no matching overload for '_([^_']+)_' applied to '\\((.*)\\)'",
                        "operator $1 cannot be applied to ($2)")
                .replaceAll(" \\(candidates: .*\\)$", "")
                .replace("(in container '')", "")
                .trim();
    }

    private static String describe(CelType type) {
        return type.name();
    }
}
