package io.spillway.core.task;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The tasks this process knows: handlers that run, and names that are known but unavailable
 * (a task whose model is not configured), each with the reason clients are told.
 *
 * <p>Built once at start, then read-only and thread-safe.
 */
public final class TaskRegistry {
    private final Map<String, TaskHandler> handlers;
    private final Map<String, String> unavailable;

    private TaskRegistry(Map<String, TaskHandler> handlers, Map<String, String> unavailable) {
        this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(handlers));
        this.unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<TaskHandler> handler(String task) {
        return Optional.ofNullable(handlers.get(task));
    }

    /** Why {@code task} is known but cannot run here, or empty. */
    public Optional<String> unavailableReason(String task) {
        return Optional.ofNullable(unavailable.get(task));
    }

    /** Names of the tasks that run here, in registration order. */
    public Set<String> names() {
        return handlers.keySet();
    }

    /** Collects handlers; rejects duplicates. Not thread-safe. */
    public static final class Builder {
        private final Map<String, TaskHandler> handlers = new LinkedHashMap<>();
        private final Map<String, String> unavailable = new LinkedHashMap<>();

        public Builder register(TaskHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (handler.maxBatchSize() < 1) {
                throw new IllegalArgumentException("task '" + handler.name() + "' has maxBatchSize < 1");
            }
            if (handlers.putIfAbsent(handler.name(), handler) != null) {
                throw new IllegalArgumentException("task '" + handler.name() + "' is registered twice");
            }
            unavailable.remove(handler.name());
            return this;
        }

        /** Declares a known task that cannot run here; ignored if a handler is registered for it. */
        public Builder unavailable(String task, String reason) {
            if (!handlers.containsKey(task)) {
                unavailable.put(task, reason);
            }
            return this;
        }

        public TaskRegistry build() {
            return new TaskRegistry(handlers, unavailable);
        }
    }
}
