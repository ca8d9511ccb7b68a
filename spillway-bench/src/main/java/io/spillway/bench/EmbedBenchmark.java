package io.spillway.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The raw limit of an in-process model, without Spillway: {@code threads} threads call it with
 * {@code batch} texts at a time for {@code seconds}, as fast as it answers. {@code spillway bench embed-raw}
 * runs it on the built-in embedding model; compare with {@code embed} jobs through the API.
 */
public final class EmbedBenchmark {
    private EmbedBenchmark() {
    }

    public static LoadReport run(Function<List<String>, float[][]> model, String text, int threads, int batch,
                                 double seconds) throws InterruptedException {
        var texts = Collections.nCopies(batch, text);
        var single = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < 50; i++) { // warm-up, then the single-call latency on an idle model
            long t0 = System.nanoTime();
            model.apply(texts);
            if (i >= 20) {
                single.recordValue(System.nanoTime() - t0);
            }
        }
        var done = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        var workers = new ArrayList<Thread>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    model.apply(texts);
                    done.addAndGet(batch);
                }
            }));
        }
        for (var w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return LoadReport.builder()
                .put("threads", threads)
                .put("batch", batch)
                .put("texts", done.get())
                .put("texts_per_s", done.get() / elapsed)
                .put("single_call_p50_ms", single.getValueAtPercentile(50) / 1e6)
                .put("single_call_p99_ms", single.getValueAtPercentile(99) / 1e6)
                .build();
    }
}
