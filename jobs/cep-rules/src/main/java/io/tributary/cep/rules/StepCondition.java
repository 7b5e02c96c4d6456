package io.tributary.cep.rules;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * A step's condition in Flink CEP: the event type must be one of the step's types, then its CEL
 * expression must be true. The expression travels as text and is compiled again where the task runs
 * (CEL programs are not serializable); it was type-checked when the rule was loaded.
 *
 * <p>An expression that reads a field the event does not have (a null optional field), or an
 * earlier step that matched nothing (an optional step), evaluates to an error in CEL; the condition
 * is then false. Rules cannot throw.
 */
public final class StepCondition extends IterativeCondition<Envelope> {
    private static final long serialVersionUID = 1L;

    private final Domain domain;
    private final Set<EventType> types;
    private final String expression;
    private final List<String> referencedSteps;
    private transient CelRuntime.Program program;
    private transient Map<String, EventFields.Field> fields;

    /**
     * What each identifier the program asks for refers to, worked out on first use: the program
     * asks for the same few names for every event of every rule copy, and splitting and hashing
     * them per evaluation was a visible share of a CEP task.
     */
    private transient Map<String, Reference> references;

    /**
     * Set when the expression is comparisons joined by {@code &&} ({@link
     * RuleExpressions#comparisons}): then the fields are compared without CEL, and an earlier step
     * is read only when the comparisons before it held.
     */
    private transient FastComparison[] comparisons;

    /**
     * A step's field ({@code step == null}: the event being matched); {@code field == null}:
     * nothing.
     */
    private record Reference(String step, EventFields.Field field) {}

    /** A comparison's operand: a reference, or a literal when {@code reference == null}. */
    private record FastOperand(Reference reference, Object literal) {}

    private record FastComparison(FastOperand left, boolean equal, FastOperand right) {}

    public StepCondition(
            Domain domain, Set<EventType> types, String expression, List<String> referencedSteps) {
        this.domain = domain;
        this.types = types;
        this.expression = expression;
        this.referencedSteps = referencedSteps;
    }

    @Override
    public boolean filter(Envelope event, Context<Envelope> context) throws Exception {
        if (!types.contains(event.getEventType())) {
            return false;
        }
        if (expression == null) {
            return true;
        }
        if (program == null) {
            RuleExpressions.Scope scope =
                    new RuleExpressions.Scope(domain, referencedSteps, Map.of(), false);
            fields = EventFields.of(domain);
            references = new HashMap<>();
            comparisons =
                    RuleExpressions.comparisons(scope, expression)
                            .map(
                                    found ->
                                            found.stream()
                                                    .map(this::fast)
                                                    .toArray(FastComparison[]::new))
                            .orElse(null);
            program = RuleExpressions.recompile(scope, expression, true);
        }
        // Only a condition on earlier steps looks them up; a start condition runs for every event.
        Map<String, Envelope> earlier = referencedSteps.isEmpty() ? Map.of() : new HashMap<>(4);
        if (comparisons != null) {
            for (FastComparison comparison : comparisons) {
                Object left = value(comparison.left(), event, context, earlier);
                Object right =
                        left == null ? null : value(comparison.right(), event, context, earlier);
                if (right == null || equal(left, right) != comparison.equal()) {
                    return false;
                }
            }
            return true;
        }
        try {
            return Boolean.TRUE.equals(
                    program.eval(name -> resolve(name, event, context, earlier)));
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    private Optional<Object> resolve(
            String name, Envelope event, Context<Envelope> context, Map<String, Envelope> earlier) {
        Reference reference = references.get(name);
        if (reference == null) {
            reference = reference(name);
            references.put(name, reference);
        }
        if (reference.field() == null) {
            return Optional.empty();
        }
        Envelope source =
                reference.step() == null
                        ? event
                        : earlier.computeIfAbsent(reference.step(), step -> first(context, step));
        return source == null
                ? Optional.empty()
                : Optional.ofNullable(reference.field().read(source));
    }

    private FastComparison fast(RuleExpressions.Comparison comparison) {
        return new FastComparison(
                fast(comparison.left()), comparison.equal(), fast(comparison.right()));
    }

    private FastOperand fast(RuleExpressions.Operand operand) {
        if (operand.field() == null) {
            return new FastOperand(null, operand.literal());
        }
        return new FastOperand(new Reference(operand.step(), fields.get(operand.field())), null);
    }

    /** The operand's value, null when absent (the field is null, or the step matched nothing). */
    private Object value(
            FastOperand operand,
            Envelope event,
            Context<Envelope> context,
            Map<String, Envelope> earlier) {
        Reference reference = operand.reference();
        if (reference == null) {
            return operand.literal();
        }
        Envelope source =
                reference.step() == null
                        ? event
                        : earlier.computeIfAbsent(reference.step(), step -> first(context, step));
        return source == null ? null : reference.field().read(source);
    }

    /**
     * CEL's equality for values of one type: doubles as IEEE 754 numbers (NaN is unequal to itself,
     * -0.0 equals 0.0).
     */
    private static boolean equal(Object left, Object right) {
        if (left instanceof Double a && right instanceof Double b) {
            return a.doubleValue() == b.doubleValue();
        }
        return left.equals(right);
    }

    private Reference reference(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return new Reference(null, null);
        }
        String root = name.substring(0, dot);
        return new Reference(
                root.equals(RuleExpressions.EVENT) ? null : root,
                fields.get(name.substring(dot + 1)));
    }

    private static Envelope first(Context<Envelope> context, String step) {
        try {
            Iterator<Envelope> events = context.getEventsForPattern(step).iterator();
            return events.hasNext() ? events.next() : null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the events of step " + step, e);
        }
    }

    @Override
    public String toString() {
        return types + (expression == null ? "" : " where " + expression);
    }
}
