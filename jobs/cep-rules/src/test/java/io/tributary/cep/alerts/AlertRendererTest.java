package io.tributary.cep.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertRendererTest {
    private static final Rule STUCK =
            load(
                    """
            id: stuck
            version: 2
            description: a transcode that never ends
            severity: HIGH
            owner: tests
            input: [TRANSCODE_STARTED, TRANSCODE_COMPLETED]
            key: mediaId
            within: 15m
            pattern:
              - begin: started
                type: TRANSCODE_STARTED
              - notFollowedBy: finished
                type: TRANSCODE_COMPLETED
            alert:
              summary: "${started.mediaId} ${started.rendition} on ${started.workerId}, ${started.count} start(s)"
              fields:
                worker: "${started.workerId}"
            """);

    @Test
    void fieldsTheEventCarriesAreRenderedAndAbsentOnesReadNotAvailable() throws Exception {
        Envelope started =
                FixtureEvents.parse(
                                "test",
                                List.of(
                                        "{\"id\": \"s1\", \"type\": \"TRANSCODE_STARTED\", \"time\": \"90s\", \"mediaId\": \"m1\", \"rendition\": \"4000k\"}"))
                        .get(0);

        Alert alert =
                new AlertRenderer(STUCK)
                        .render(
                                "m1",
                                Map.of("started", List.of(started)),
                                Instant.parse("2026-01-01T00:20:00Z"));

        assertThat(alert.getSummary()).isEqualTo("m1 4000k on n/a, 1 start(s)");
        assertThat(alert.getDetails()).containsEntry("worker", "n/a");
        assertThat(alert.getMatchedEventIds()).containsExactly("s1");
        assertThat(alert.getFirstEventTime()).isEqualTo(Instant.parse("2026-01-01T00:01:30Z"));
        assertThat(alert.getRuleVersion()).isEqualTo(2);
        assertThat(alert.getAlertId()).isEqualTo(AlertRenderer.alertId(STUCK, List.of("s1")));
    }

    private static Rule load(String text) {
        RuleLoader.Loaded loaded = RuleLoader.loadText("stuck.yaml", text);
        assertThat(loaded.problems()).isEmpty();
        return loaded.rules().get(0);
    }

    @Test
    void aLongMatchListsItsFirstAndLastTenIdsAndHowManyMatched() {
        List<String> ids =
                java.util.stream.IntStream.range(0, 30_000).mapToObj(i -> "e" + i).toList();
        List<String> shown = AlertRenderer.shown(ids);
        assertThat(shown).hasSize(AlertRenderer.MAX_MATCHED_IDS_SHOWN);
        assertThat(shown.subList(0, 10))
                .containsExactly("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
        assertThat(shown).endsWith("e29999");
        assertThat(AlertRenderer.shown(ids.subList(0, 20))).isEqualTo(ids.subList(0, 20));
    }
}
