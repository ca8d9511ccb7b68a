package io.spillway.core.engine;

import static io.spillway.core.engine.TestJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which the engine runs what waits, on the in-memory store and a manual clock: one
 * worker, no prefetch, and a task that runs a job only when the test hands it a permit, so the
 * order of the runs is the scheduler's alone.
 */
class SchedulingTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final long GUARD_SECONDS = 20;

    private final ManualTime time = new ManualTime(T0);
    private final InMemoryJobStore store = new InMemoryJobStore();
    private final Semaphore permits = new Semaphore(0);
    /** The jobs in the order they ran. */
    private final List<Job> ran = new CopyOnWriteArrayList<>();
    private Engine engine;

    private final TaskHandler gated = new TaskHandler() {
        @Override
        public String name() {
            return "gated";
        }

        @Override
        public List<Outcome> run(List<Job> batch) throws InterruptedException {
            var outcomes = new ArrayList<Outcome>();
            for (var job : batch) {
                if (!permits.tryAcquire(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test gave no permit");
                }
                ran.add(job);
                outcomes.add(Outcome.completed("{}"));
            }
            return outcomes;
        }
    };

    private void start(SchedulingPolicy policy) {
        start(policy, 1);
    }

    private void start(SchedulingPolicy policy, int workers) {
        var config = EngineConfig.defaults(workers).withPrefetchBatches(0).withScheduling(policy);
        engine = new Engine(store, TaskRegistry.builder().register(gated).build(), config, (Scheduler) time, EngineListener.NONE);
        engine.start();
    }

    @AfterEach
    void stop() {
        permits.release(100_000);
        if (engine != null) {
            engine.shutdown(Duration.ofSeconds(5));
        }
        store.close();
    }

    private List<String> submit(int n, TestJobs job) {
        var ids = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            ids.add(engine.submit(job.build()).join().job().id());
        }
        return ids;
    }

    /** Lets {@code n} more jobs run and waits until they did. */
    private void run(int n) {
        int target = ran.size() + n;
        permits.release(n);
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> ran.size() >= target);
    }

    private static long ofTenant(List<Job> jobs, String tenant) {
        return jobs.stream().filter(j -> j.tenant().equals(tenant)).count();
    }

    @Test
    void tenantsWithWeights1And3_shareASaturatedTaskAbout1To3() {
        start(SchedulingPolicy.defaults().withTenantWeights(Map.of("b", 3)));
        submit(200, aNewJob("gated").tenant("a"));
        submit(200, aNewJob("gated").tenant("b"));

        run(201);

        var share = ofTenant(ran.subList(1, 201), "b") / 200.0; // the first ran before b had submitted
        assertThat(share).isBetween(0.70, 0.80);
    }

    @Test
    void aTenantSubmittingAfterAnothersFlood_getsItsShareAtOnce() {
        start(SchedulingPolicy.defaults());
        submit(300, aNewJob("gated").tenant("a"));
        run(50);
        time.advance(Engine.QUEUE_SAMPLE); // the engine samples where the queue stands

        var late = submit(10, aNewJob("gated").tenant("b"));
        run(250);

        var next = ran.subList(50, 75);
        assertThat(next).extracting(Job::id).containsAll(late);
        assertThat(ofTenant(next, "a")).isBetween(11L, 15L);
    }

    @Test
    void underAFloodOfInteractiveWork_aBatchJobStillRuns_afterAboutTwoAgingsOfWork() {
        // the task's rate is not measured yet: 100 jobs a second, so an aging of 1 s is 100 jobs
        start(SchedulingPolicy.defaults().withAging(Duration.ofSeconds(1)));
        submit(1, aNewJob("gated").priority(Priority.INTERACTIVE)); // holds the worker
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);
        var batch = submit(1, aNewJob("gated").priority(Priority.BATCH)).getFirst();
        submit(600, aNewJob("gated").priority(Priority.INTERACTIVE));

        run(602);

        int at = ran.stream().map(Job::id).toList().indexOf(batch);
        assertThat(at).isBetween(195, 210);
    }

    @Test
    void aTenantCap_keepsAFloodingTenantToItsRunningJobs_whileAnotherTenantsJobsRun() {
        start(SchedulingPolicy.defaults().withMaxRunningPerTenant(1), 3);
        submit(20, aNewJob("gated").tenant("a"));
        var b = submit(2, aNewJob("gated").tenant("b"));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 2);
        time.advance(Duration.ofSeconds(5)); // polls and samples: nothing more may be claimed

        assertThat(engine.inFlight()).as("one job of each tenant, though three workers are free").isEqualTo(2);
        run(2);
        await().atMost(Duration.ofSeconds(GUARD_SECONDS))
                .until(() -> store.jobGet("b", b.getLast()).orElseThrow().state() == JobState.PROCESSING);
        assertThat(ran).as("b's second job started before a's flood went on").hasSize(2);
        run(20);
    }

    @Test
    void aQueueLimit_refusesWorkThatWouldWaitLongerAtItsPriority_andAdmitsTheRest() {
        start(SchedulingPolicy.defaults().withMaxQueue(Map.of(Priority.BATCH, Duration.ofSeconds(10))));
        submit(60, aNewJob("gated"));
        run(60); // 60 jobs ended within the minute: the task drains at 1 a second
        submit(100, aNewJob("gated"));
        time.advance(Engine.QUEUE_SAMPLE);

        assertThatThrownBy(() -> submit(1, aNewJob("gated").priority(Priority.BATCH)))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e).hasMessageStartingWith("the queue is full: about 99 s of work ahead of this job at priority batch")
                            .hasMessageContaining("the limit at this priority is 10 s");
                    assertThat(e.retryAfter()).isGreaterThan(Duration.ofSeconds(80));
                });
        assertThat(submit(1, aNewJob("gated").priority(Priority.STANDARD))).hasSize(1);
    }
}
