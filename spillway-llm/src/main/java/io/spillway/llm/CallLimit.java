package io.spillway.llm;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limiter.BlockingLimiter;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How many calls one remote model takes at once from this process, adapted to how it answers:
 * Netflix's concurrency-limits AIMD limit, which starts at the configured {@code max_concurrency}
 * (its ceiling), falls by a quarter on every 429 and every call that ran out the model's timeout,
 * and climbs back by one per answered call while the calls in flight use at least half of it.
 * Callers wait for a slot (on virtual threads). AIMD rather than a latency gradient: an LLM's
 * latency follows the length of its answer, not the provider's load, so only refusals and
 * timeouts say the provider is saturated.
 */
final class CallLimit {
    private final AIMDLimit limit;
    private final Limiter<Void> limiter;

    /** One call holding a slot; exactly one of its methods ends it. */
    interface Slot {
        /** The provider answered (whatever it said, but a 429). */
        void answered();

        /** The provider refused for load (429) or ran out the call's time: the limit falls. */
        void rateLimited();

        /** The call ended without telling anything about the provider's load (a connection error). */
        void ignored();
    }

    CallLimit(int ceiling, Duration slowCall) {
        this.limit = AIMDLimit.newBuilder().initialLimit(ceiling).maxLimit(ceiling).minLimit(1).backoffRatio(0.75)
                .timeout(Math.max(1, slowCall.toNanos()), TimeUnit.NANOSECONDS).build();
        this.limiter = BlockingLimiter.wrap(SimpleLimiter.newBuilder().limit(limit).build(), Duration.ofMinutes(30));
    }

    /** Waits for a slot. */
    Slot acquire() throws InterruptedException {
        while (true) {
            var listener = limiter.acquire(null);
            if (listener.isPresent()) {
                var l = listener.get();
                return new Slot() {
                    @Override
                    public void answered() {
                        l.onSuccess();
                    }

                    @Override
                    public void rateLimited() {
                        l.onDropped();
                    }

                    @Override
                    public void ignored() {
                        l.onIgnore();
                    }
                };
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for a call slot");
            }
        }
    }

    /** The calls allowed at once now. */
    int current() {
        return limit.getLimit();
    }
}
