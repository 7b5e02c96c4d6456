package io.tributary.cep.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A complete set of rule files as published to the rule-set topic: every rule the job is to run
 * from {@link #effectiveAt} (event time) on, not a change. A revision replaces the one before it
 * whole, so a job that reads only the newest record of the compacted topic knows everything.
 *
 * @param revision counts up from 1 per topic; the job ignores a revision it has already taken
 * @param effectiveAt the event time from which the job judges events by this set; events before it
 *     by the set before
 * @param publishedAt wall-clock time of {@code rules publish}, for people
 * @param publishedBy who published, for people
 * @param files rule file texts by their path below the rules directory
 */
public record RuleSet(
        long revision,
        Instant effectiveAt,
        Instant publishedAt,
        String publishedBy,
        SortedMap<String, String> files)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The largest rule set a record may hold; Kafka's default message limit is about 1 MB. */
    public static final int MAX_BYTES = 900_000;

    public RuleSet {
        if (revision < 0) {
            throw new IllegalArgumentException(
                    "a rule set revision is never negative: " + revision);
        }
        if (effectiveAt == null) {
            throw new IllegalArgumentException("a rule set needs the time it takes effect");
        }
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /**
     * The rule files below a directory (or one file), by their path relative to it, as {@code rules
     * validate} finds them.
     */
    public static SortedMap<String, String> readFiles(Path directory) {
        SortedMap<String, String> texts = new TreeMap<>();
        Path base = Files.isDirectory(directory) ? directory : directory.getParent();
        for (Path file : RuleLoader.ruleFiles(directory)) {
            try {
                String name = base == null ? file.toString() : base.relativize(file).toString();
                texts.put(name.replace('\\', '/'), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return texts;
    }

    /**
     * The rules, checked as {@code rules validate} checks them; problems name {@code prefix + path}
     * (the directory as the person publishing typed it, or the topic's name).
     */
    public RuleLoader.Loaded load(String prefix) {
        Map<String, String> texts = new LinkedHashMap<>();
        files.forEach((path, text) -> texts.put(prefix + path, text));
        return RuleLoader.loadTexts(texts);
    }

    /**
     * Each rule file's content as data (comments and layout left out), by rule id: two texts of a
     * rule that differ only in comments are the same rule.
     */
    public Map<String, RuleText> rulesById(String prefix) {
        Map<String, RuleText> byId = new LinkedHashMap<>();
        files.forEach(
                (path, text) -> {
                    List<RuleProblem> ignored = new ArrayList<>();
                    YamlDocument doc =
                            YamlDocument.parse(prefix + path, new StringReader(text), ignored);
                    if (doc != null && doc.root().path("id").isTextual()) {
                        byId.put(doc.root().path("id").asText(), new RuleText(doc, prefix + path));
                    }
                });
        return byId;
    }

    /** One rule file read as data, with where its version stands for messages. */
    public static final class RuleText {
        private final YamlDocument doc;
        private final String file;

        RuleText(YamlDocument doc, String file) {
            this.doc = doc;
            this.file = file;
        }

        public String file() {
            return file;
        }

        public JsonNode content() {
            return doc.root();
        }

        /** The rule's version; 0 when it has none or not a number (the loader says why). */
        public int version() {
            return doc.root().path("version").asInt(0);
        }

        /** A problem at the rule's version, or at its id when it has none. */
        public RuleProblem problemAtVersion(String message) {
            return doc.root().has("version")
                    ? doc.problemAt("/version", message)
                    : doc.problemAt("/id", message);
        }
    }

    /** The record value on the rule-set topic: JSON, readable with any Kafka console tool. */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("revision", revision);
        node.put("effectiveAt", effectiveAt.toString());
        if (publishedAt != null) {
            node.put("publishedAt", publishedAt.toString());
        }
        if (publishedBy != null) {
            node.put("publishedBy", publishedBy);
        }
        ObjectNode texts = node.putObject("files");
        files.forEach(texts::put);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    /**
     * Reads a record of the rule-set topic.
     *
     * @throws IllegalArgumentException saying what is wrong, for anything that is not a rule set
     *     (the topic is writable by people, so it may hold anything)
     */
    public static RuleSet fromJson(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("the record has no value (a deletion marker)");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode revision = node.path("revision");
        if (!revision.canConvertToLong() || !revision.isIntegralNumber()) {
            throw new IllegalArgumentException("'revision' must be a whole number");
        }
        JsonNode files = node.path("files");
        if (!files.isObject() || files.isEmpty()) {
            throw new IllegalArgumentException("'files' must map file paths to rule texts");
        }
        SortedMap<String, String> texts = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> file = it.next();
            if (!file.getValue().isTextual()) {
                throw new IllegalArgumentException(
                        "'files' / '" + file.getKey() + "' must be the text of a rule file");
            }
            texts.put(file.getKey(), file.getValue().asText());
        }
        return new RuleSet(
                revision.asLong(),
                instant(node, "effectiveAt", true),
                instant(node, "publishedAt", false),
                node.path("publishedBy").isTextual() ? node.path("publishedBy").asText() : null,
                texts);
    }

    private static Instant instant(JsonNode node, String field, boolean required) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            if (required) {
                throw new IllegalArgumentException("'" + field + "' is missing");
            }
            return null;
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "'" + field + "' must be an ISO-8601 instant such as 2026-12-07T20:00:00Z");
        }
    }

    /** The same rules with another revision and effective time. */
    public RuleSet as(long newRevision, Instant newEffectiveAt) {
        return new RuleSet(newRevision, newEffectiveAt, publishedAt, publishedBy, files);
    }
}
