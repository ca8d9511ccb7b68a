package io.spillway.server;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.TaskHandler;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Task {@code gate}: each job waits until the test opens the gate, then echoes its input. */
public final class GateTask implements TaskHandler {
    private final CountDownLatch open = new CountDownLatch(1);
    public final AtomicInteger started = new AtomicInteger();

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws InterruptedException {
        started.addAndGet(batch.size());
        if (!open.await(60, TimeUnit.SECONDS)) {
            return batch.stream().map(j -> Outcome.failed("gate never opened")).toList();
        }
        return batch.stream().map(j -> Outcome.completed(j.input().json())).toList();
    }

    public void open() {
        open.countDown();
    }
}
