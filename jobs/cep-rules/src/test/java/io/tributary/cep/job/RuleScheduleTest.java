package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleScheduleTest {

    @Test
    void eachRevisionJudgesFromItsTimeUntilTheNext() {
        RuleSchedule<String> schedule = new RuleSchedule<>();
        schedule.add(0, Long.MIN_VALUE, "submitted");
        schedule.add(1, 100, "one");
        schedule.add(2, 200, "two");

        assertThat(schedule.at(Long.MIN_VALUE)).isEqualTo("submitted");
        assertThat(schedule.at(99)).isEqualTo("submitted");
        assertThat(schedule.at(100)).isEqualTo("one");
        assertThat(schedule.at(199)).isEqualTo("one");
        assertThat(schedule.at(200)).isEqualTo("two");
        assertThat(schedule.newestRevision()).isEqualTo(2);
    }

    @Test
    void aRevisionAlreadyKnownOrOlderIsNotAdded() {
        RuleSchedule<String> schedule = new RuleSchedule<>();
        schedule.add(3, 100, "three");
        assertThat(schedule.add(3, 50, "again")).isFalse();
        assertThat(schedule.add(2, 500, "older")).isFalse();
        assertThat(schedule.all()).containsExactly("three");
    }

    @Test
    void aNewerRevisionEffectiveEarlierReplacesThePendingOnes() {
        RuleSchedule<String> schedule = new RuleSchedule<>();
        schedule.add(0, Long.MIN_VALUE, "submitted");
        schedule.add(1, 300, "one");
        schedule.add(2, 200, "two");
        assertThat(schedule.all()).containsExactly("submitted", "two");
        assertThat(schedule.at(400)).isEqualTo("two");
    }

    @Test
    void revisionsRetireOnceTheWatermarkPassedTheNextOnesTime() {
        RuleSchedule<String> schedule = new RuleSchedule<>();
        schedule.add(0, Long.MIN_VALUE, "submitted");
        schedule.add(1, 100, "one");
        schedule.add(2, 200, "two");
        List<String> retired = new ArrayList<>();

        schedule.retire(98, retired::add);
        assertThat(retired).isEmpty();
        schedule.retire(99, retired::add);
        assertThat(retired).containsExactly("submitted");
        schedule.retire(1_000, retired::add);
        assertThat(retired).containsExactly("submitted", "one");
        assertThat(schedule.all()).containsExactly("two");
        assertThat(schedule.revisions()).containsExactly(2L);
    }
}
