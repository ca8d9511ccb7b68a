package io.spillway.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: many threads {@link #submit} items; one writer thread takes everything waiting
 * (up to {@code maxBatch}), writes it in one call, then completes each item's future with its
 * result. A caller that waits on the future knows its item is committed.
 *
 * <p>Implementation notes: the queue is bounded ({@code capacity}); a full queue fails the
 * submit at once with {@link OverloadedException} rather than blocking request threads. When
 * the write throws, every future of that batch completes exceptionally with the same error
 * and the writer goes on with the next batch. {@code onCommit} runs on the writer thread after
 * a successful write, before the futures complete; it must be quick and must not throw. The
 * futures are completed on {@code completions}, not on the writer thread: what callers chain
 * on them (an HTTP response, say) then never delays the next commit.
 *
 * @param <I> item type
 * @param <O> per-item result type; {@code write} returns one per item, in order
 */
final class BatchWriter<I, O> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private record Entry<I, O>(I item, CompletableFuture<O> future) {
    }

    private final String name;
    private final int maxBatch;
    private final BlockingQueue<Entry<I, O>> queue;
    private final Function<List<I>, List<O>> write;
    private final BiConsumer<List<I>, List<O>> onCommit;
    private final Executor completions;
    private final EngineListener listener;
    private final String metricName;
    private final Thread thread;
    private volatile boolean closing;

    BatchWriter(String name, int maxBatch, int capacity, Function<List<I>, List<O>> write,
                BiConsumer<List<I>, List<O>> onCommit, Executor completions) {
        this(name, maxBatch, capacity, write, onCommit, completions, EngineListener.NONE, name);
    }

    BatchWriter(String name, int maxBatch, int capacity, Function<List<I>, List<O>> write,
                BiConsumer<List<I>, List<O>> onCommit, Executor completions, EngineListener listener,
                String metricName) {
        this.name = name;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.write = Objects.requireNonNull(write);
        this.onCommit = Objects.requireNonNull(onCommit);
        this.completions = Objects.requireNonNull(completions);
        this.listener = Objects.requireNonNull(listener);
        this.metricName = metricName;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues an item.
     *
     * @throws OverloadedException when the queue is full
     * @throws EngineClosedException when the writer is closing
     */
    CompletableFuture<O> submit(I item) {
        if (closing) {
            throw new EngineClosedException(name + " is shutting down");
        }
        var entry = new Entry<I, O>(item, new CompletableFuture<>());
        if (!queue.offer(entry)) {
            throw new OverloadedException(name + " queue is full (" + queue.size() + " waiting)");
        }
        if (closing && !thread.isAlive() && queue.remove(entry)) {
            throw new EngineClosedException(name + " is shutting down"); // raced with close(): never written
        }
        return entry.future;
    }

    /** Items waiting to be written. */
    int backlog() {
        return queue.size();
    }

    private void loop() {
        var batch = new ArrayList<Entry<I, O>>(maxBatch);
        var items = new ArrayList<I>(maxBatch);
        while (true) {
            try {
                Entry<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                for (var e : batch) {
                    items.add(e.item);
                }
                writeBatch(batch, items);
            } catch (InterruptedException e) {
                if (closing) {
                    return;
                }
            } finally {
                batch.clear();
                items.clear();
            }
        }
    }

    private void writeBatch(List<Entry<I, O>> batch, List<I> items) {
        List<O> results;
        long started = System.nanoTime();
        try {
            results = write.apply(items);
            listener.committed(metricName, items.size(), System.nanoTime() - started);
            if (results.size() != items.size()) {
                throw new IllegalStateException(name + ": write returned " + results.size()
                        + " results for " + items.size() + " items");
            }
        } catch (RuntimeException e) {
            log.warn("{}: write of {} items failed: {}", name, items.size(), e.toString());
            var failed = List.copyOf(batch);
            completeLater(() -> failed.forEach(entry -> entry.future.completeExceptionally(e)));
            return;
        }
        try {
            onCommit.accept(items, results);
        } catch (RuntimeException e) {
            log.error("{}: after-commit hook failed", name, e);
        }
        var done = List.copyOf(batch);
        var values = List.copyOf(results);
        completeLater(() -> {
            for (int i = 0; i < done.size(); i++) {
                done.get(i).future.complete(values.get(i));
            }
        });
    }

    private void completeLater(Runnable r) {
        try {
            completions.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    /** Stops taking items, writes what is queued, and waits up to {@code timeoutMillis} for the thread. */
    void close(long timeoutMillis) {
        closing = true;
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            Entry<I, O> late;
            while ((late = queue.poll()) != null) {
                late.future.completeExceptionally(new EngineClosedException(name + " is shutting down"));
            }
        }
    }

    @Override
    public void close() {
        close(10_000);
    }
}
