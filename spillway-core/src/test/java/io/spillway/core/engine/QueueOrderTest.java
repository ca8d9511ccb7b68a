package io.spillway.core.engine;

import static io.spillway.core.engine.TestJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.store.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue keys alone: claims take jobs in key order, so sorting the keys is what the store does. */
class QueueOrderTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final QueueOrder order = new QueueOrder(SchedulingPolicy.defaults().withTenantWeights(Map.of("b", 3)));
    private final List<Keyed> queue = new ArrayList<>();

    private record Keyed(long key, NewJob job) {
    }

    private List<NewJob> submit(int n, TestJobs template) {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < n; i++) {
            jobs.add(template.build());
        }
        var keys = order.keys(jobs, NOW);
        for (int i = 0; i < n; i++) {
            queue.add(new Keyed(keys.get(i), jobs.get(i)));
        }
        return jobs;
    }

    /** The first {@code n} jobs a claim would take, taken out of the queue. */
    private List<NewJob> claim(int n) {
        queue.sort(Comparator.comparingLong(Keyed::key));
        var taken = new ArrayList<NewJob>();
        while (taken.size() < n && !queue.isEmpty()) {
            taken.add(queue.removeFirst().job());
        }
        return taken;
    }

    /** What the store would report: the smallest key left. */
    private void sample(double drainPerSecond) {
        sample(order, order.mark(), drainPerSecond, NOW);
    }

    private void sample(QueueOrder into, Map<String, long[]> mark, double drainPerSecond, Instant now) {
        var fronts = new ArrayList<QueueStats.Front>();
        for (var p : Priority.values()) {
            queue.stream().filter(k -> k.job().priority() == p).mapToLong(Keyed::key).min()
                    .ifPresent(key -> fronts.add(new QueueStats.Front("t", p, key)));
        }
        var pending = new EnumMap<Priority, Long>(Priority.class);
        into.observe(mark, fronts, List.of(new QueueStats.TaskQueue("t", pending, 0, drainPerSecond, null)), now);
    }

    private static long countOf(List<NewJob> jobs, String tenant) {
        return jobs.stream().filter(j -> j.tenant().equals(tenant)).count();
    }

    @Test
    void tenantsWithWeights1And3_shareASaturatedTask1To3_whicheverFloodedFirst() {
        submit(400, aNewJob("t").tenant("a"));
        submit(400, aNewJob("t").tenant("b"));

        var first = claim(200);

        assertThat(countOf(first, "b")).isBetween(148L, 152L);
    }

    @Test
    void aTenantArrivingAfterAFlood_getsItsShareAtOnce_evenWhenTheMeasuredRateChangedMeanwhile() {
        submit(1000, aNewJob("t").tenant("a"));
        claim(500);
        sample(0.8);

        var late = submit(5, aNewJob("t").tenant("c"));
        var next = claim(10);

        assertThat(next).containsAll(late);
        assertThat(countOf(next, "a")).isEqualTo(5);
    }

    @Test
    void aBatchJob_goesAheadOfInteractiveJobsArrivingTwoAgingsOfWorkLater_soNothingStarves() {
        sample(10); // 10 jobs a second: a minute of aging is 600 jobs
        var batch = submit(1, aNewJob("t").priority(Priority.BATCH)).getFirst();
        submit(3000, aNewJob("t").priority(Priority.INTERACTIVE));

        var ran = claim(3001);

        assertThat(ran.indexOf(batch)).isBetween(1195, 1205);
    }

    @Test
    void anInteractiveJob_goesAheadOfABatchBacklogThatCameFirst() {
        submit(500, aNewJob("t").priority(Priority.BATCH));
        claim(100);
        sample(5);

        var interactive = submit(1, aNewJob("t").priority(Priority.INTERACTIVE)).getFirst();

        assertThat(claim(1)).containsExactly(interactive);
    }

    @Test
    void withinAClass_earlierDeadlinesGoFirst_andADistantOneKeepsItsTurn() {
        var none = submit(1, aNewJob("t")).getFirst();
        var in30 = submit(1, aNewJob("t").deadline(NOW.plusSeconds(30))).getFirst();
        var in10 = submit(1, aNewJob("t").deadline(NOW.plusSeconds(10))).getFirst();
        var inAnHour = submit(1, aNewJob("t").deadline(NOW.plus(Duration.ofHours(1)))).getFirst();

        assertThat(claim(4)).containsExactly(in10, in30, none, inAnHour);
    }

    @Test
    void aBetterClass_goesFirstAmongJobsThatArriveTogether() {
        var batch = submit(1, aNewJob("t").priority(Priority.BATCH)).getFirst();
        var standard = submit(1, aNewJob("t")).getFirst();
        var interactive = submit(1, aNewJob("t").priority(Priority.INTERACTIVE)).getFirst();

        assertThat(claim(3)).containsExactly(interactive, standard, batch);
    }

    @Test
    void whenNothingIsClaimable_theFrontMovesToTheLastTag_soNoTenantCarriesADebt() {
        submit(100, aNewJob("t").tenant("a"));
        claim(100);
        sample(100);
        var again = order.keys(List.of(aNewJob("t").tenant("a").build(), aNewJob("t").tenant("c").build()), NOW);

        assertThat(again.getFirst()).as("a owes nothing for its earlier jobs").isEqualTo(again.getLast());
    }

    @Test
    void aProcessStartedLater_keysFromWhereTheQueueStands_notFromItsOwnClock() {
        submit(1000, aNewJob("t").tenant("a"));
        claim(500);
        var restarted = new QueueOrder(SchedulingPolicy.defaults());
        sample(restarted, restarted.mark(), 100, NOW.plus(Duration.ofHours(5)));

        var late = restarted.keys(List.of(aNewJob("t").tenant("c").build()), NOW.plus(Duration.ofHours(5))).getFirst();

        assertThat(queue.stream().filter(k -> k.key() < late).count()).as("jobs ahead of the newcomer").isLessThan(2);
    }

    @Test
    void aBurstKeyedWhileTheStoreWasRead_isNotPassedOverByTheNextTenant() {
        sample(100); // the task is known and idle
        var mark = order.mark();
        submit(10, aNewJob("t").tenant("a")); // keyed after the mark, committed after the read
        sample(order, mark, 100, NOW); // the read saw nothing claimable

        var late = submit(1, aNewJob("t").tenant("c")).getFirst();

        assertThat(claim(3)).contains(late);
    }

    @Test
    void aDeadlineCenturiesAway_isOnlyFarAway() {
        var far = submit(1, aNewJob("t").deadline(Instant.parse("9999-12-31T23:59:59Z"))).getFirst();
        var plain = submit(1, aNewJob("t")).getFirst();

        assertThat(claim(2)).containsExactly(far, plain);
    }
}
