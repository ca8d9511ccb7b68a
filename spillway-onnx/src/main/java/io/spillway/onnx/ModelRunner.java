package io.spillway.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Continuous batching for one model. Callers submit tokenized texts; each of the model's
 * {@code concurrency} runner threads loops: take everything waiting (up to {@code max_batch},
 * waiting up to {@code batch_wait} for more only when configured), sort it by length, run each
 * group of similar lengths as one model call (so short texts are not padded to a long one's
 * length), complete the callers' futures, repeat. Nothing waits on a timer when work is queued.
 */
public final class ModelRunner implements AutoCloseable {
    private final OnnxModel model;
    private final ModelSpec spec;
    private final BatchObserver observer;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<Thread> runners = new ArrayList<>();
    private volatile boolean closed;

    private record Request(Tokens tokens, CompletableFuture<Row> result, long submittedNanos) {
    }

    /** One text's output, with its share of the model call's time. */
    public record Row(float[] values, long computeNanos) {
    }

    /** Rows for a list of texts, with the tokens the model read and the compute time they took. */
    public record Result(float[][] rows, int tokens, long computeNanos) {
        public long computeMillis() {
            return computeNanos / 1_000_000;
        }
    }

    /** Texts submitted together; {@link #await} collects them. */
    public final class Pending {
        private final List<CompletableFuture<Row>> futures;
        private final int tokens;

        private Pending(List<CompletableFuture<Row>> futures, int tokens) {
            this.futures = futures;
            this.tokens = tokens;
        }

        /** The model these texts run on. */
        public String model() {
            return spec.name();
        }

        /**
         * Waits for every text.
         *
         * @throws IllegalStateException when a model call failed
         */
        public Result await() throws InterruptedException {
            var rows = new float[futures.size()][];
            long compute = 0;
            for (int i = 0; i < rows.length; i++) {
                try {
                    var row = futures.get(i).get();
                    rows[i] = row.values();
                    compute += row.computeNanos();
                } catch (ExecutionException e) {
                    var cause = e.getCause();
                    throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                }
            }
            return new Result(rows, tokens, compute);
        }
    }

    public ModelRunner(OnnxModel model, BatchObserver observer) {
        this.model = model;
        this.spec = model.spec();
        this.observer = observer;
        for (int i = 0; i < spec.concurrency(); i++) {
            runners.add(Thread.ofPlatform().daemon(true).name("spillway-model-" + spec.name() + "-" + i).start(this::loop));
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public OnnxModel model() {
        return model;
    }

    /** Queues one tokenized text. */
    public CompletableFuture<Row> submit(Tokens tokens) {
        var request = new Request(tokens, new CompletableFuture<>(), System.nanoTime());
        if (closed) {
            request.result().completeExceptionally(new IllegalStateException("model " + spec.name() + " is closed"));
            return request.result();
        }
        queue.add(request);
        return request.result();
    }

    /**
     * Tokenizes texts on the calling thread and queues them; {@link Pending#await} collects them.
     * Submitting every job of a batch before awaiting any keeps the runners busy.
     */
    public Pending submitAll(List<String> texts) {
        // every text is tokenized before any is queued: the runner finds them together and batches
        // them, instead of taking each alone while the next is still being tokenized
        var encoded = new ArrayList<Tokens>(texts.size());
        int tokens = 0;
        for (String text : texts) {
            var t = model.encode(text);
            tokens += t.length();
            encoded.add(t);
        }
        var futures = new ArrayList<CompletableFuture<Row>>(texts.size());
        for (var t : encoded) {
            futures.add(submit(t));
        }
        return new Pending(futures, tokens);
    }

    /** Runs texts through the model, batched with whatever else is waiting, and waits for them. */
    public Result run(List<String> texts) throws InterruptedException {
        return submitAll(texts).await();
    }

    private void loop() {
        var batch = new ArrayList<Request>(spec.maxBatch());
        long waitNanos = spec.batchWait().toNanos();
        try {
            while (!closed) {
                batch.add(queue.take());
                queue.drainTo(batch, spec.maxBatch() - batch.size());
                if (waitNanos > 0) {
                    long deadline = System.nanoTime() + waitNanos;
                    while (batch.size() < spec.maxBatch()) {
                        var more = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (more == null) {
                            break;
                        }
                        batch.add(more);
                        queue.drainTo(batch, spec.maxBatch() - batch.size());
                    }
                }
                observer.waiting(spec.name(), queue.size());
                runByLength(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (var r : batch) {
                r.result().completeExceptionally(new IllegalStateException("model " + spec.name() + " is closed"));
            }
        }
    }

    /** Groups of similar length: a group's longest text is at most twice its shortest plus 8 tokens. */
    private void runByLength(List<Request> batch) {
        if (batch.size() > 1) {
            batch.sort(Comparator.comparingInt(r -> r.tokens().length()));
        }
        int start = 0;
        while (start < batch.size()) {
            int limit = batch.get(start).tokens().length() * 2 + 8;
            int end = start + 1;
            while (end < batch.size() && batch.get(end).tokens().length() <= limit) {
                end++;
            }
            runOne(batch.subList(start, end));
            start = end;
        }
    }

    private void runOne(List<Request> group) {
        long started = System.nanoTime();
        var tokens = new ArrayList<Tokens>(group.size());
        for (var r : group) {
            observer.queued(spec.name(), started - r.submittedNanos());
            tokens.add(r.tokens());
        }
        try {
            var rows = model.run(tokens);
            long ran = System.nanoTime() - started;
            observer.batchRan(spec.name(), group.size(), tokens.getLast().length(), ran);
            long share = ran / rows.length;
            for (int i = 0; i < rows.length; i++) {
                group.get(i).result().complete(new Row(rows[i], share));
            }
        } catch (RuntimeException e) {
            for (var r : group) {
                r.result().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        runners.forEach(Thread::interrupt);
        for (var t : runners) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Request r;
        while ((r = queue.poll()) != null) {
            r.result().completeExceptionally(new IllegalStateException("model " + spec.name() + " is closed"));
        }
        model.close();
    }
}
