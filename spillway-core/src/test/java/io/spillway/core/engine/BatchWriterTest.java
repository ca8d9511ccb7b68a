package io.spillway.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class BatchWriterTest {

    @Test
    void submit_groupsWaitingItemsIntoOneWriteAndAnswersEach() throws Exception {
        var gate = new CountDownLatch(1);
        var batches = new CopyOnWriteArrayList<List<Integer>>();
        var writer = new BatchWriter<Integer, String>("test", 100, 1000, items -> {
            awaitQuietly(gate);
            batches.add(List.copyOf(items));
            return items.stream().map(i -> "r" + i).toList();
        }, (items, results) -> { }, Runnable::run);
        writer.start();

        var first = writer.submit(0);
        var rest = new ArrayList<CompletableFuture<String>>();
        for (int i = 1; i <= 50; i++) {
            rest.add(writer.submit(i));
        }
        gate.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        for (int i = 0; i < rest.size(); i++) {
            assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("r" + (i + 1));
        }
        assertThat(batches.size()).as("51 items in at most a few writes").isLessThanOrEqualTo(3);
        writer.close();
    }

    @Test
    void failedWrite_failsEveryItemOfItsBatchAndTheWriterGoesOn() throws Exception {
        var calls = new CopyOnWriteArrayList<Integer>();
        var writer = new BatchWriter<Integer, Integer>("test", 10, 100, items -> {
            calls.add(items.size());
            if (items.contains(13)) {
                throw new IllegalStateException("disk full");
            }
            return items;
        }, (items, results) -> { }, Runnable::run);
        writer.start();

        var bad = writer.submit(13);
        assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("disk full");
        assertThat(writer.submit(7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        writer.close();
    }

    @Test
    void submit_isRefusedWhenFullAndAfterClose() {
        var gate = new CountDownLatch(1);
        var writer = new BatchWriter<Integer, Integer>("test", 1, 2, items -> {
            awaitQuietly(gate);
            return items;
        }, (items, results) -> { }, Runnable::run);
        writer.start();
        writer.submit(1);
        // the writer holds item 1; two more fill the queue
        Awaitility.await().until(() -> writer.backlog() == 0);
        writer.submit(2);
        writer.submit(3);

        assertThatThrownBy(() -> writer.submit(4)).isInstanceOf(OverloadedException.class).hasMessageContaining("queue is full");
        gate.countDown();
        writer.close();
        assertThatThrownBy(() -> writer.submit(5)).isInstanceOf(EngineClosedException.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
