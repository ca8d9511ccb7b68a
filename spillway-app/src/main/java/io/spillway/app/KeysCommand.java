package io.spillway.app;

import io.spillway.core.crypto.DecryptionException;
import io.spillway.core.crypto.FieldCipher;
import io.spillway.core.crypto.MasterKeys;
import io.spillway.core.crypto.Rewrap;
import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.keys.KeyStore;
import io.spillway.core.store.StoreException;
import io.spillway.server.Role;
import io.spillway.server.SpillwayServer;
import io.spillway.server.auth.Audit;
import io.spillway.server.auth.Authenticator;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.config.Setting;
import io.spillway.server.config.Settings;
import io.spillway.store.sqlite.SqliteKeyStore;
import io.spillway.store.sqlite.StoreInUseException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spillway keys}: create, list and revoke API keys in the store, beside a running server
 * or without one. Every gateway sharing the store sees a change within
 * {@link Authenticator#REFRESH}.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Create, list and revoke API keys. Once a key exists, every API request needs one (Authorization: "
                + "Bearer <key>; health, readiness and the dashboard's files do not); the key's tenant owns the jobs it makes."},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class, KeysCommand.RewrapData.class})
final class KeysCommand {
    static final List<String> SUBCOMMANDS = List.of("keys create", "keys list", "keys revoke", "keys rewrap");

    /** What the key commands share: the store, opened beside a server that may hold it. */
    abstract static class KeyCommand extends RunCommand {
        final Audit audit = new Audit();

        @Override
        Role role() {
            return Role.SERVE;
        }

        /** Only where the store is: the keys are in it. */
        @Override
        List<Setting<?>> settings() {
            return List.of(Settings.DATA_DIR, Settings.STORE, Settings.STORE_SCHEMA);
        }

        @Override
        public Integer call() {
            var config = loadConfig();
            if (config == null) {
                return 2;
            }
            try {
                return withKeys(config);
            } catch (StoreException e) {
                spec.commandLine().getErr().println("spillway: " + e.getMessage());
                return 1;
            }
        }

        private int withKeys(ServerConfig config) {
            var file = config.dataDir().resolve("spillway.db");
            if (config.store().equals("sqlite") && !Files.exists(file)) {
                // a mistyped --data-dir would otherwise put the key where no server looks
                spec.commandLine().getErr().println("spillway: no store at " + file.toAbsolutePath()
                        + " yet: creating it (a server started with --data-dir " + config.dataDir() + " uses it)");
            }
            try (var store = SpillwayServer.openStore(config, Role.SERVE)) {
                return run(store);
            } catch (StoreInUseException e) {
                // a server holds the embedded store: keys are rows of their own, changed beside it
                try (var keys = SqliteKeyStore.open(config.dataDir().resolve("spillway.db"))) {
                    return run(keys);
                }
            }
        }

        abstract int run(KeyStore keys);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a key and print it, once: it is stored only as a hash, and cannot be shown again."})
    static final class Create extends KeyCommand {
        @Option(names = "--tenant", required = true, order = -5, description = {"the tenant that owns the key's jobs"})
        String tenant;

        @Option(names = "--name", required = true, order = -4, description = {"what the key is for (ci, billing-service)"})
        String name;

        @Option(names = "--scopes", order = -3, paramLabel = "LIST",
                description = {"comma-separated: submit, read, metrics, admin (all tenants)", "(default: submit,read)"})
        String scopes;

        @Option(names = "--expires", order = -2, paramLabel = "DURATION",
                description = {"lifetime as an ISO-8601 duration (P90D, PT12H), or never", "(default: never)"})
        String expires;

        @Option(names = "--rate", order = -1, paramLabel = "RATE",
                description = {"requests it may make: 50/s, 600/min or 1000/h", "(default: no limit)"})
        String rate;

        @Override
        int run(KeyStore keys) {
            var err = spec.commandLine().getErr();
            Set<KeyScope> scopeSet;
            Duration lifetime;
            double perSecond;
            try {
                ApiKeys.checkTenant(tenant);
                if (name.isBlank() || name.length() > 100) {
                    throw new IllegalArgumentException("a name is 1 to 100 characters");
                }
                scopeSet = scopes == null ? KeyScope.DEFAULT : KeyScope.parseList(scopes);
                lifetime = lifetime(expires);
                perSecond = rate(rate);
            } catch (IllegalArgumentException e) {
                err.println("spillway: " + e.getMessage());
                return 2;
            }
            var key = ApiKeys.generate();
            var id = ApiKeys.idOf(key).orElseThrow();
            var now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            var expiresAt = lifetime == null ? null : now.plus(lifetime);
            keys.keyInsert(new ApiKey(id, tenant, name.strip(), scopeSet, ApiKeys.hash(key), now, expiresAt, null, perSecond));
            audit.keyCreated(id, tenant, KeyScope.format(scopeSet), "cli");
            spec.commandLine().getOut().println(key);
            err.println("spillway: created key " + id + " for tenant " + tenant + " (scopes " + KeyScope.format(scopeSet)
                    + (expiresAt == null ? "" : "; expires " + expiresAt) + (perSecond > 0 ? "; rate " + rate : "")
                    + "). It is shown only this once: keep it now. Send it as Authorization: Bearer <key>.");
            return 0;
        }

        static Duration lifetime(String text) {
            if (text == null || text.equals("never")) {
                return null;
            }
            try {
                var d = Duration.parse(text.toUpperCase(Locale.ROOT));
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("--expires must be a positive duration");
                }
                return d;
            } catch (DateTimeParseException e) {
                try {
                    var days = Period.parse(text.toUpperCase(Locale.ROOT));
                    if (days.isNegative() || days.isZero() || days.getYears() > 100) {
                        throw new IllegalArgumentException("--expires must be a positive duration of at most 100 years");
                    }
                    return Duration.ofDays(days.toTotalMonths() * 30 + days.getDays());
                } catch (DateTimeParseException again) {
                    throw new IllegalArgumentException("--expires takes an ISO-8601 duration such as P90D or PT12H, or never; not '"
                            + text + "'");
                }
            }
        }

        static double rate(String text) {
            if (text == null) {
                return 0;
            }
            var parts = text.strip().split("/", 2);
            double seconds = parts.length < 2 ? -1 : switch (parts[1]) {
                case "s", "sec", "second" -> 1;
                case "m", "min", "minute" -> 60;
                case "h", "hour" -> 3600;
                default -> -1;
            };
            double n;
            try {
                n = Double.parseDouble(parts[0]);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (seconds < 0 || !(n > 0) || n > 1_000_000) {
                throw new IllegalArgumentException("--rate takes a number of requests per s, min or h: 50/s, 600/min; not '"
                        + text + "'");
            }
            return n / seconds;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"List every key: id, tenant, name, scopes, when made, when it expires, and whether it works."})
    static final class ListKeys extends KeyCommand {
        @Override
        int run(KeyStore keys) {
            var out = spec.commandLine().getOut();
            var now = Instant.now();
            var format = "%-12s  %-16s  %-16s  %-22s  %-20s  %-20s  %s%n";
            out.printf(format, "ID", "TENANT", "NAME", "SCOPES", "CREATED", "EXPIRES", "STATUS");
            for (var k : keys.keyList()) {
                var status = k.revokedAt() != null ? "revoked " + k.revokedAt().truncatedTo(ChronoUnit.SECONDS)
                        : k.activeAt(now) ? "active" + (k.ratePerSecond() > 0 ? " (" + k.ratePerSecond() + "/s)" : "")
                        : "expired";
                out.printf(format, k.id(), k.tenant(), k.name(), KeyScope.format(k.scopes()),
                        k.createdAt().truncatedTo(ChronoUnit.SECONDS),
                        k.expiresAt() == null ? "never" : k.expiresAt().truncatedTo(ChronoUnit.SECONDS), status);
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Revoke a key by its id (see keys list): every process refuses it within seconds."})
    static final class Revoke extends KeyCommand {
        @Parameters(paramLabel = "ID", description = "the key's id (the 12 characters after spw_)")
        String id;

        @Override
        int run(KeyStore keys) {
            var keyId = ApiKeys.idOf(id).orElse(id); // the whole key works too
            if (!keys.keyRevoke(keyId, Instant.now())) {
                spec.commandLine().getErr().println("spillway: " + (keys.keyGet(keyId).isPresent()
                        ? "key " + keyId + " was revoked before" : "no key " + keyId + " (spillway keys list shows them)"));
                return 1;
            }
            audit.keyRevoked(keyId, "cli");
            spec.commandLine().getErr().println("spillway: revoked key " + keyId + "; every process refuses it within "
                    + Authenticator.REFRESH.toSeconds() + " s");
            return 0;
        }
    }

    @Command(name = "rewrap", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Re-wrap the data keys of every job's stored fields under the active master key (the first of "
                    + "encryption_keys_file), a page at a time, beside running gateways on PostgreSQL. Afterwards the older "
                    + "master keys are needed only for documents of jobs that retention has not yet deleted. An embedded "
                    + "server does this itself when it starts with more than one master key."})
    static final class RewrapData extends RunCommand {
        @Option(names = "--batch", defaultValue = "200", order = -1, description = {"jobs per page (default ${DEFAULT-VALUE})"})
        int batch;

        @Override
        Role role() {
            return Role.SERVE;
        }

        @Override
        List<Setting<?>> settings() {
            return List.of(Settings.DATA_DIR, Settings.STORE, Settings.STORE_SCHEMA, Settings.ENCRYPTION_KEYS_FILE,
                    Settings.ENCRYPTION_KEYS);
        }

        @Override
        public Integer call() {
            var config = loadConfig();
            if (config == null) {
                return 2;
            }
            var err = spec.commandLine().getErr();
            MasterKeys keys;
            try {
                keys = config.encryption().masterKeys();
            } catch (ConfigException e) {
                err.println("spillway: " + e.getMessage());
                return 2;
            }
            if (keys == null || batch < 1) {
                err.println("spillway: " + (keys == null ? "no master keys: set encryption_keys_file (or SPILLWAY_ENCRYPTION_KEYS), "
                        + "the new key first" : "--batch must be at least 1"));
                return 2;
            }
            try (var store = SpillwayServer.openStore(config, Role.SERVE)) {
                var done = new Rewrap(store, new FieldCipher(keys), batch).run();
                spec.commandLine().getOut().println("spillway: re-wrapped " + done.rewrapped() + " of " + done.jobs()
                        + " jobs under master key " + keys.activeId() + (done.changedMeanwhile() > 0 ? "; "
                        + done.changedMeanwhile() + " kept changing: run it again" : "") + (done.unreadable() > 0 ? "; "
                        + done.unreadable() + " do not decrypt (tampered with, or under a key not configured) and were left" : "")
                        + "; re-wrapped " + done.attachmentsRewrapped() + " of " + done.attachments() + " documents and checkpoints"
                        + (done.attachmentsUnreadable() > 0 ? " (" + done.attachmentsUnreadable() + " do not decrypt and were left)" : "")
                        + (done.attachmentsLeft() > 0 ? "; " + done.attachmentsLeft() + " could not be re-wrapped now: run it again" : ""));
                return done.complete() ? 0 : 1;
            } catch (StoreInUseException e) {
                err.println("spillway: a server holds the embedded store; it re-wraps on its own when it starts with more than "
                        + "one master key: restart it with the new key first in encryption_keys_file");
                return 1;
            } catch (StoreException | DecryptionException e) {
                err.println("spillway: " + e.getMessage());
                return 1;
            }
        }
    }
}
