package io.tributary.aggregations.iot;

/**
 * Count, min, max, mean and variance of a stream of readings in one pass and constant space:
 * Welford's update for single readings and Chan et al.'s combination for merging partial results,
 * both numerically stable where the textbook sum-of-squares formula is not.
 */
public class ReadingStats {
    /** How many standard deviations from the mean make a reading anomalous. */
    public static final double ANOMALY_SIGMAS = 3.0;

    public long count;
    public double mean;
    public double m2;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    public String unit;

    public void add(double value, String unitOfValue) {
        count++;
        double delta = value - mean;
        mean += delta / count;
        m2 += delta * (value - mean);
        min = Math.min(min, value);
        max = Math.max(max, value);
        unit = unitOfValue;
    }

    public ReadingStats merge(ReadingStats other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            count = other.count;
            mean = other.mean;
            m2 = other.m2;
            min = other.min;
            max = other.max;
            unit = other.unit;
            return this;
        }
        long total = count + other.count;
        double delta = other.mean - mean;
        mean += delta * other.count / total;
        m2 += other.m2 + delta * delta * count * other.count / total;
        count = total;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        return this;
    }

    /** Population standard deviation. */
    public double stddev() {
        return count == 0 ? 0 : Math.sqrt(m2 / count);
    }

    /**
     * Whether the lowest or the highest reading lies more than {@link #ANOMALY_SIGMAS} from the
     * mean.
     */
    public boolean anomaly() {
        double sd = stddev();
        return sd > 0 && (max - mean > ANOMALY_SIGMAS * sd || mean - min > ANOMALY_SIGMAS * sd);
    }
}
