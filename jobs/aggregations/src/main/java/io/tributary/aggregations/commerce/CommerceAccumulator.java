package io.tributary.aggregations.commerce;

import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.CommerceMinute;
import java.time.Instant;

/**
 * Order and payment counts of one market for one window. A POJO of counters: exact, mergeable, and
 * serialized by Flink's POJO serializer. Revenue counts paid orders, in minor units.
 */
public class CommerceAccumulator {
    public long ordersCreated;
    public long ordersPaid;
    public long revenueMinor;
    public long paymentAttempts;
    public long paymentFailures;

    public void add(EventType type, long amountMinor) {
        switch (type) {
            case ORDER_CREATED -> ordersCreated++;
            case ORDER_PAID -> {
                ordersPaid++;
                revenueMinor += amountMinor;
            }
            case PAYMENT_ATTEMPTED -> paymentAttempts++;
            case PAYMENT_FAILED -> paymentFailures++;
            default -> {}
        }
    }

    public CommerceAccumulator merge(CommerceAccumulator other) {
        ordersCreated += other.ordersCreated;
        ordersPaid += other.ordersPaid;
        revenueMinor += other.revenueMinor;
        paymentAttempts += other.paymentAttempts;
        paymentFailures += other.paymentFailures;
        return this;
    }

    public CommerceMinute toResult(Market market, long windowStart, long windowEnd, int revision) {
        return CommerceMinute.newBuilder()
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setRevision(revision)
                .setCountry(market.country)
                .setCurrency(market.currency)
                .setOrdersCreated(ordersCreated)
                .setOrdersPaid(ordersPaid)
                .setRevenueMinor(revenueMinor)
                .setAverageOrderValueMinor(
                        ordersPaid == 0 ? null : (double) revenueMinor / ordersPaid)
                .setPaymentAttempts(paymentAttempts)
                .setPaymentFailures(paymentFailures)
                .setPaymentFailureRate(
                        paymentAttempts == 0 ? null : (double) paymentFailures / paymentAttempts)
                .build();
    }
}
