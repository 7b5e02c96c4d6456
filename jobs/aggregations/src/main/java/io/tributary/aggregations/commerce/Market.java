package io.tributary.aggregations.commerce;

import java.util.Objects;

/** The key of commerce windows: country × currency. */
public class Market {
    public String country;
    public String currency;

    public Market() {}

    public Market(String country, String currency) {
        this.country = country;
        this.currency = currency;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Market m && country.equals(m.country) && currency.equals(m.currency);
    }

    @Override
    public int hashCode() {
        return Objects.hash(country, currency);
    }

    @Override
    public String toString() {
        return country + "/" + currency;
    }
}
