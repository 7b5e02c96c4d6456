package io.tributary.cep.alerts;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelUnknownSet;
import io.tributary.cep.rules.EventFields;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleExpressions;
import io.tributary.cep.rules.Template;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Builds the {@link Alert} for one match of a rule: matched event ids in pattern order, first and
 * last event time, the rule's summary and fields rendered from the matched events. The alert id is
 * a name-based UUID of rule, version and matched event ids, so a replay of the same input yields
 * the same id.
 */
public final class AlertRenderer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String MISSING = "n/a";

    private final Rule rule;
    private transient Map<String, CelRuntime.Program> programs;
    private transient Map<String, Template> templates;
    private transient Map<String, EventFields.Field> fields;
    private transient DecimalFormat decimals;

    public AlertRenderer(Rule rule) {
        this.rule = rule;
    }

    public Alert render(String key, Map<String, List<Envelope>> match, Instant detectionTime) {
        return render(key, match, detectionTime, new HashMap<>());
    }

    /**
     * @param rendered texts of templates already rendered for this match and key, by template;
     *     rules of one family share their templates and step names, so one rendering serves all
     */
    public Alert render(
            String key,
            Map<String, List<Envelope>> match,
            Instant detectionTime,
            Map<String, String> rendered) {
        List<String> ids = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Rule.Step step : rule.steps()) {
            for (Envelope event : match.getOrDefault(step.name(), List.of())) {
                ids.add(event.getEventId());
                first = Math.min(first, event.getEventTime().toEpochMilli());
                last = Math.max(last, event.getEventTime().toEpochMilli());
            }
        }
        Map<String, String> details = new LinkedHashMap<>();
        rule.alert()
                .fields()
                .forEach(
                        (name, template) ->
                                details.put(
                                        name,
                                        rendered.computeIfAbsent(
                                                template, text -> render(text, key, match))));
        return Alert.newBuilder()
                .setAlertId(alertId(rule, ids))
                .setRuleId(rule.id())
                .setRuleVersion(rule.version())
                .setSeverity(rule.severity())
                .setOwner(rule.owner())
                .setKey(key)
                .setSummary(
                        rendered.computeIfAbsent(
                                rule.alert().summary(), text -> render(text, key, match)))
                .setDetails(new HashMap<>(details))
                .setMatchedEventIds(shown(ids))
                .setMatchedEventCount(ids.size())
                .setFirstEventTime(Instant.ofEpochMilli(first))
                .setLastEventTime(Instant.ofEpochMilli(last))
                .setDetectionTime(detectionTime)
                .build();
    }

    /**
     * At most this many matched ids travel in an alert: a match of thousands would make it
     * megabytes.
     */
    public static final int MAX_MATCHED_IDS_SHOWN = 20;

    /** All ids up to {@link #MAX_MATCHED_IDS_SHOWN}, else the first and the last half of that. */
    static List<String> shown(List<String> ids) {
        if (ids.size() <= MAX_MATCHED_IDS_SHOWN) {
            return ids;
        }
        int half = MAX_MATCHED_IDS_SHOWN / 2;
        List<String> shown = new ArrayList<>(ids.subList(0, half));
        shown.addAll(ids.subList(ids.size() - half, ids.size()));
        return shown;
    }

    /** Of every matched id, so that an alert's id says exactly which events it is about. */
    public static String alertId(Rule rule, List<String> matchedEventIds) {
        String name = rule.id() + "|" + rule.version() + "|" + String.join(",", matchedEventIds);
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private String render(String template, String key, Map<String, List<Envelope>> match) {
        if (templates == null) {
            templates = new HashMap<>();
        }
        Template parsed = templates.computeIfAbsent(template, AlertRenderer::parse);
        StringBuilder text = new StringBuilder();
        for (Template.Part part : parsed.parts()) {
            if (!part.expression()) {
                text.append(part.text());
                continue;
            }
            try {
                Object value = program(part.text()).eval(name -> resolve(name, key, match));
                // CEL answers a field the event does not carry with an unknown, not an error.
                text.append(value instanceof CelUnknownSet ? MISSING : format(value));
            } catch (CelEvaluationException e) {
                text.append(MISSING);
            }
        }
        return text.toString();
    }

    private static Template parse(String template) {
        try {
            return Template.parse(template);
        } catch (Template.Unclosed e) {
            throw new IllegalStateException("template was checked at load time: " + template, e);
        }
    }

    private CelRuntime.Program program(String expression) {
        if (programs == null) {
            programs = new HashMap<>();
            fields = EventFields.of(rule.domain());
        }
        return programs.computeIfAbsent(
                expression,
                text -> {
                    List<String> steps =
                            rule.steps().stream()
                                    .filter(s -> !s.contiguity().negated())
                                    .map(Rule.Step::name)
                                    .toList();
                    return RuleExpressions.recompile(
                            new RuleExpressions.Scope(rule.domain(), steps, Map.of(), true),
                            text,
                            false);
                });
    }

    private Optional<Object> resolve(String name, String key, Map<String, List<Envelope>> match) {
        if (name.equals(RuleExpressions.KEY)) {
            return Optional.of(key);
        }
        int dot = name.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        List<Envelope> events = match.getOrDefault(name.substring(0, dot), List.of());
        String field = name.substring(dot + 1);
        if (field.equals(RuleExpressions.COUNT)) {
            return Optional.of((long) events.size());
        }
        EventFields.Field f = fields.get(field);
        if (events.isEmpty() || f == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(f.read(events.get(0)));
    }

    private String format(Object value) {
        if (value instanceof Double number) {
            if (decimals == null) {
                decimals =
                        new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
            }
            return decimals.format(number);
        }
        return String.valueOf(value);
    }
}
