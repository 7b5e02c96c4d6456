package io.tributary.ingest.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentKeysTest {
    private static final long RETENTION = 1_000;

    @Test
    void neverForgetsAKeyWithinTheRetentionAndRarelyClaimsOneItNeverSaw() {
        RecentKeys recent = new RecentKeys(RETENTION, 0);
        int keys = 300_000;
        for (int i = 0; i < keys; i++) {
            recent.add(RecentKeys.hash("event-" + i), i * RETENTION / keys);
        }
        long now = RETENTION;
        for (int i = 0; i < keys; i++) {
            assertThat(recent.mightContain(RecentKeys.hash("event-" + i), now)).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < keys; i++) {
            if (recent.mightContain(RecentKeys.hash("other-" + i), now)) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).isLessThan(keys / 100);
    }

    @Test
    void growsInBlocksAsKeysComeAndLetsThemGoTwoRetentionsLater() {
        RecentKeys recent = new RecentKeys(RETENTION, 0);
        for (int i = 0; i <= RecentKeys.BLOCK_KEYS; i++) {
            recent.add(RecentKeys.hash("event-" + i), 10);
        }
        long oneGeneration = recent.sizeInBytes();
        assertThat(oneGeneration).isEqualTo(2L * RecentKeys.BLOCK_KEYS * 16 / 8);

        assertThat(recent.mightContain(RecentKeys.hash("event-1"), 10 + RETENTION)).isTrue();
        // Rotated once at RETENTION (kept as previous), dropped at the next rotation.
        recent.add(RecentKeys.hash("later"), 2 * RETENTION + 10);
        assertThat(recent.mightContain(RecentKeys.hash("event-1"), 2 * RETENTION + 10)).isFalse();
        assertThat(recent.sizeInBytes()).isLessThan(oneGeneration);
    }
}
