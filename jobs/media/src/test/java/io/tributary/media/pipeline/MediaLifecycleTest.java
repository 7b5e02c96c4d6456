package io.tributary.media.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.EventType;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MediaLifecycleTest {
    /** Every valid transition, written out once more by hand: state -> event -> next state. */
    private static final Map<MediaLifecycle, Map<EventType, MediaLifecycle>> VALID =
            Map.of(
                    MediaLifecycle.UPLOADING,
                            Map.of(
                                    EventType.UPLOAD_CHUNK, MediaLifecycle.UPLOADING,
                                    EventType.UPLOAD_COMPLETED, MediaLifecycle.UPLOADING,
                                    EventType.UPLOADED, MediaLifecycle.UPLOADED,
                                    EventType.UPLOAD_FAILED, MediaLifecycle.FAILED),
                    MediaLifecycle.UPLOADED,
                            Map.of(
                                    EventType.TRANSCODE_REQUESTED, MediaLifecycle.TRANSCODING,
                                    EventType.MEDIA_FAILED, MediaLifecycle.FAILED),
                    MediaLifecycle.TRANSCODING,
                            Map.of(
                                    EventType.TRANSCODE_REQUESTED, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODE_STARTED, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODE_PROGRESS, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODE_COMPLETED, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODE_FAILED, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODE_SLA_BREACHED, MediaLifecycle.TRANSCODING,
                                    EventType.TRANSCODED, MediaLifecycle.TRANSCODED,
                                    EventType.MEDIA_FAILED, MediaLifecycle.FAILED),
                    MediaLifecycle.TRANSCODED,
                            Map.of(
                                    EventType.PACKAGED, MediaLifecycle.PACKAGED,
                                    EventType.MEDIA_FAILED, MediaLifecycle.FAILED),
                    MediaLifecycle.PACKAGED,
                            Map.of(
                                    EventType.PACKAGED, MediaLifecycle.PACKAGED,
                                    EventType.PUBLISHED, MediaLifecycle.PUBLISHED),
                    MediaLifecycle.PUBLISHED, Map.of(),
                    MediaLifecycle.FAILED, Map.of());

    @Test
    void everyValidTransitionLeadsWhereTheDiagramSays() throws Exception {
        for (MediaLifecycle from : MediaLifecycle.values()) {
            for (Map.Entry<EventType, MediaLifecycle> step : VALID.get(from).entrySet()) {
                assertThat(from.next(step.getKey()))
                        .as(from + " --" + step.getKey() + "-->")
                        .isEqualTo(step.getValue());
            }
        }
    }

    @Test
    void everyOtherEventIsAnInvalidTransitionNamingWhatWasExpected() {
        Set<EventType> media = EnumSet.range(EventType.UPLOAD_CHUNK, EventType.PUBLISHED);
        media.addAll(EnumSet.range(EventType.UPLOADED, EventType.MEDIA_FAILED));
        for (MediaLifecycle from : MediaLifecycle.values()) {
            for (EventType event : media) {
                if (!VALID.get(from).containsKey(event)) {
                    assertThatThrownBy(() -> from.next(event))
                            .as(from + " --" + event + "-->")
                            .isInstanceOf(MediaLifecycle.InvalidTransition.class)
                            .hasMessageStartingWith(event + " cannot follow " + from);
                }
            }
        }
        assertThatThrownBy(() -> MediaLifecycle.TRANSCODING.next(EventType.PLAY))
                .isInstanceOf(MediaLifecycle.InvalidTransition.class);
    }

    @Test
    void publishedAndFailedAreFinal() {
        assertThat(EnumSet.allOf(MediaLifecycle.class).stream().filter(MediaLifecycle::terminal))
                .containsExactlyInAnyOrder(MediaLifecycle.PUBLISHED, MediaLifecycle.FAILED);
        assertThatThrownBy(() -> MediaLifecycle.FAILED.next(EventType.UPLOADED))
                .hasMessageContaining("a final state");
        assertThat(MediaLifecycle.initial()).isEqualTo(MediaLifecycle.UPLOADING);
    }
}
