package io.spillway.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.spillway.core.engine.Engine;
import io.spillway.core.store.Budget;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.UsageRow;
import java.math.BigDecimal;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/usage}: what a tenant's completed jobs used (jobs, tokens, compute seconds, cost)
 * over UTC days, in total and grouped by task, model or day, and where its budget stands.
 */
final class UsageRoutes implements RouteFamily {
    static final Route USAGE = Route.get("/v1/usage", "What the tenant's completed jobs used, and its budget");
    static final List<Route> ROUTES = List.of(USAGE);

    /** The longest range one request sums. */
    static final int MAX_DAYS = 366;
    private static final Set<String> GROUPS = Set.of("task", "model", "day", "tenant");
    /** A day of four-digit years only: days are compared as text in the store. */
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final Engine engine;
    private final ObjectMapper mapper;
    private final JobJson json;
    private final InstantSource clock;

    UsageRoutes(Engine engine, ObjectMapper mapper, JobJson json, InstantSource clock) {
        this.engine = engine;
        this.mapper = mapper;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Map<Route, Handler> handlers() {
        return Map.of(USAGE, this::usage);
    }

    private void usage(Context ctx) {
        var tenant = Callers.listTenant(ctx);
        var today = Budget.day(clock.instant());
        var to = day(ctx, "to", today);
        var from = day(ctx, "from", to.withDayOfMonth(1));
        if (from.isAfter(to)) {
            throw ApiException.badRequest("'from' (" + from + ") is after 'to' (" + to + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ApiException.badRequest("a range of at most " + MAX_DAYS + " days is summed at once; ask for less");
        }
        var groupBy = groups(ctx.queryParam("group_by"));
        var rows = engine.usage(tenant, from, to);

        var body = new LinkedHashMap<String, Object>();
        body.put("object", "usage");
        body.put("tenant", tenant.equals(JobStore.ANY_TENANT) ? null : tenant);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("group_by", groupBy);
        body.put("total", totals(rows, List.of()).getFirst());
        if (!groupBy.isEmpty()) {
            body.put("data", totals(rows, groupBy));
        }
        if (!tenant.equals(JobStore.ANY_TENANT)) {
            engine.budgets().of(tenant).ifPresent(b -> body.put("budget", budget(tenant, b, today)));
        }
        ctx.contentType(RequestBodies.JSON).result(json.value(mapper, body));
    }

    private static LocalDate day(Context ctx, String name, LocalDate otherwise) {
        var v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return otherwise;
        }
        try {
            if (!DAY.matcher(v).matches()) {
                throw new DateTimeParseException("not a day", v, 0);
            }
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("'" + name + "' must be a day such as 2026-12-01 (UTC), got '"
                    + JobRequests.truncate(v) + "'");
        }
    }

    private static List<String> groups(String v) {
        var out = new ArrayList<String>();
        if (v == null || v.isEmpty()) {
            return out;
        }
        for (var g : v.split(",", -1)) {
            var name = g.strip();
            if (!GROUPS.contains(name)) {
                throw ApiException.badRequest("'group_by' takes task, model, day or tenant (or several, separated by commas), got '"
                        + JobRequests.truncate(name) + "'");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** The rows summed per distinct value of the group's fields (one total without fields), in the rows' order. */
    private static List<Map<String, Object>> totals(List<UsageRow> rows, List<String> groupBy) {
        var sums = new LinkedHashMap<List<String>, UsageRow>();
        for (var r : rows) {
            var key = groupBy.stream().map(g -> field(r, g)).toList();
            sums.merge(key, r, UsageRow::plus);
        }
        if (groupBy.isEmpty() && sums.isEmpty()) {
            sums.put(List.of(), new UsageRow("", LocalDate.EPOCH, "", "", 0, 0, 0, 0, 0, 0));
        }
        var out = new ArrayList<Map<String, Object>>();
        for (var e : sums.entrySet()) {
            var m = new LinkedHashMap<String, Object>();
            for (int i = 0; i < groupBy.size(); i++) {
                m.put(groupBy.get(i), e.getKey().get(i));
            }
            var u = e.getValue();
            m.put("jobs", u.jobs());
            m.put("input_tokens", u.inputTokens());
            m.put("output_tokens", u.outputTokens());
            m.put("tokens", u.tokens());
            m.put("compute_seconds", BigDecimal.valueOf(u.computeMs(), 3));
            m.put("cost", Budget.decimal(u.costNanos()));
            out.add(m);
        }
        return out;
    }

    private static String field(UsageRow r, String group) {
        return switch (group) {
            case "task" -> r.task();
            case "model" -> r.model();
            case "day" -> r.day().toString();
            default -> r.tenant();
        };
    }

    private Map<String, Object> budget(String tenant, Budget b, LocalDate today) {
        var start = b.period().start(today);
        long spent = engine.usage(tenant, start, today).stream().mapToLong(UsageRow::costNanos).sum();
        long reserved = engine.costReserved(tenant);
        var m = new LinkedHashMap<String, Object>();
        m.put("limit", Budget.decimal(b.limitNanos()));
        m.put("period", b.period().wireName());
        m.put("period_start", start.toString());
        m.put("renews", b.period().next(today).toString());
        m.put("spent", Budget.decimal(spent));
        m.put("reserved", Budget.decimal(reserved));
        m.put("remaining", Budget.decimal(Math.max(0, b.limitNanos() - spent - reserved)));
        return m;
    }
}
