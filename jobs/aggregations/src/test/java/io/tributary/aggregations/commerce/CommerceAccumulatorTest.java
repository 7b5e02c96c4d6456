package io.tributary.aggregations.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.CommerceMinute;
import org.junit.jupiter.api.Test;

class CommerceAccumulatorTest {
    private static final Market GERMANY = new Market("DE", "EUR");

    @Test
    void countsOrdersRevenueAndPaymentFailures() {
        CommerceAccumulator acc = new CommerceAccumulator();
        acc.add(EventType.ORDER_CREATED, 1999);
        acc.add(EventType.ORDER_CREATED, 500);
        acc.add(EventType.PAYMENT_ATTEMPTED, 1999);
        acc.add(EventType.PAYMENT_FAILED, 1999);
        acc.add(EventType.PAYMENT_ATTEMPTED, 1999);
        acc.add(EventType.PAYMENT_SUCCEEDED, 1999);
        acc.add(EventType.ORDER_PAID, 1999);
        acc.add(EventType.ORDER_PAID, 501);

        CommerceMinute row = acc.toResult(GERMANY, 0, 60_000, 1);

        assertThat(row.getOrdersCreated()).isEqualTo(2);
        assertThat(row.getOrdersPaid()).isEqualTo(2);
        assertThat(row.getRevenueMinor()).isEqualTo(2500);
        assertThat(row.getAverageOrderValueMinor()).isEqualTo(1250.0);
        assertThat(row.getPaymentAttempts()).isEqualTo(2);
        assertThat(row.getPaymentFailureRate()).isEqualTo(0.5);
    }

    @Test
    void ratesAreAbsentWithoutADenominatorAndMergeAddsUp() {
        CommerceAccumulator a = new CommerceAccumulator();
        a.add(EventType.ORDER_CREATED, 100);
        assertThat(a.toResult(GERMANY, 0, 1, 1).getAverageOrderValueMinor()).isNull();
        assertThat(a.toResult(GERMANY, 0, 1, 1).getPaymentFailureRate()).isNull();

        CommerceAccumulator b = new CommerceAccumulator();
        b.add(EventType.ORDER_PAID, 300);
        CommerceMinute merged = a.merge(b).toResult(GERMANY, 0, 1, 1);
        assertThat(merged.getOrdersCreated()).isEqualTo(1);
        assertThat(merged.getRevenueMinor()).isEqualTo(300);
    }
}
