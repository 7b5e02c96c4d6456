package io.tributary.cep.ruleset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the job made of a published revision, on the rule-status topic: accepted, with the event
 * time from which it judges events by it, or refused, with every problem (file:line:column), while
 * it keeps the set it had.
 *
 * @param effectiveAt when accepted: the revision's effective time, or later when the job's
 *     watermark had passed it already on arrival
 */
public record RuleSetStatus(
        long revision,
        boolean accepted,
        Instant effectiveAt,
        List<String> problems,
        String job,
        Instant reportedAt)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public RuleSetStatus {
        problems = List.copyOf(problems);
    }

    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("revision", revision);
        node.put("outcome", accepted ? "accepted" : "refused");
        if (effectiveAt != null) {
            node.put("effectiveAt", effectiveAt.toString());
        }
        problems.forEach(node.putArray("problems")::add);
        node.put("job", job);
        node.put("reportedAt", reportedAt.toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    /**
     * @throws IllegalArgumentException for a record that is not a status
     */
    public static RuleSetStatus fromJson(byte[] value) {
        try {
            JsonNode node = JSON.readTree(value);
            List<String> problems = new ArrayList<>();
            node.path("problems").forEach(problem -> problems.add(problem.asText()));
            return new RuleSetStatus(
                    node.path("revision").asLong(),
                    "accepted".equals(node.path("outcome").asText()),
                    node.hasNonNull("effectiveAt")
                            ? Instant.parse(node.path("effectiveAt").asText())
                            : null,
                    problems,
                    node.path("job").asText(),
                    Instant.parse(node.path("reportedAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a rule-set status: " + e.getMessage(), e);
        }
    }
}
