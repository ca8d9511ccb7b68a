package io.spillway.core.store;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * A tenant's budget: how much its jobs may cost per calendar day or month (UTC), in the price units
 * models are priced in. Amounts are kept as whole nanos of a unit ({@link #nanos}), so reservations
 * and their releases add up exactly.
 *
 * @param limitNanos what the period's jobs may cost together, in nanos of a price unit
 * @param period     the calendar period it renews over
 */
public record Budget(long limitNanos, Period period) {

    /** A calendar period in UTC. */
    public enum Period {
        DAY, MONTH;

        /** The first day of the period {@code today} falls in. */
        public LocalDate start(LocalDate today) {
            return this == DAY ? today : today.with(TemporalAdjusters.firstDayOfMonth());
        }

        /** The first day of the next period. */
        public LocalDate next(LocalDate today) {
            return this == DAY ? today.plusDays(1) : start(today).plusMonths(1);
        }

        /** The period's length in seconds (a month of 30 days), for {@code RateLimit-Policy}'s window. */
        public long seconds() {
            return this == DAY ? 86_400 : 30L * 86_400;
        }

        /** {@code day} or {@code month}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Budget {
        Objects.requireNonNull(period, "period");
        if (limitNanos < 0) {
            throw new IllegalArgumentException("a budget must not be negative, was " + limitNanos);
        }
    }

    /** An amount in price units as nanos of a unit (rounded to the nearest). */
    public static long nanos(double units) {
        return Math.round(units * 1e9);
    }

    /** Nanos of a unit as price units. */
    public static double units(long nanos) {
        return nanos / 1e9;
    }

    /** Nanos of a unit as an exact decimal of price units, without trailing zeros ({@code 0.155}, {@code 5}). */
    public static BigDecimal decimal(long nanos) {
        var d = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    /** The UTC day of an instant. */
    public static LocalDate day(java.time.Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    /** The limit in price units. */
    public double limit() {
        return units(limitNanos);
    }
}
