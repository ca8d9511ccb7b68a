package io.spillway.server.config;

import java.util.List;

/**
 * Who may reach the API: the settings {@code auth}, {@code allowed_hosts} and
 * {@code metrics_token}.
 *
 * @param auth         {@code auto} (keys once one exists) or {@code none}
 * @param allowedHosts the names a request's {@code Host} may give ({@code auto} alone: the automatic ones)
 * @param metricsToken a token that reads metrics and the queue signal without a key, or null
 * @param corsOrigins  the origins whose pages may call the API ({@code https://app.example.com}), lower case
 */
public record Access(String auth, List<String> allowedHosts, String metricsToken, List<String> corsOrigins) {
    public Access {
        allowedHosts = List.copyOf(allowedHosts);
        corsOrigins = List.copyOf(corsOrigins);
    }

    @Override
    public String toString() {
        return "Access[auth=" + auth + ", allowedHosts=" + allowedHosts + ", metricsToken=" + (metricsToken == null ? "none" : "set")
                + ", corsOrigins=" + corsOrigins + "]";
    }
}
