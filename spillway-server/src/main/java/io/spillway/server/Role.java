package io.spillway.server;

import java.util.Locale;

/** What a Spillway process does. */
public enum Role {
    /** Everything in one process: the HTTP API and the workers (embedded SQLite or a shared store). */
    SERVE,
    /** The HTTP API only; jobs run in worker processes sharing the store. */
    GATEWAY,
    /** Runs jobs from the shared store; HTTP serves only /healthz and /readyz. */
    WORKER;

    public String command() {
        return name().toLowerCase(Locale.ROOT);
    }
}
