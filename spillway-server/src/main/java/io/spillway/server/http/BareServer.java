package io.spillway.server.http;

import io.javalin.Javalin;
import io.spillway.core.JobIds;
import io.spillway.core.json.Json;
import io.spillway.server.config.ServerConfig;
import java.time.InstantSource;

/**
 * The HTTP layer's limit, for benchmarks: Javalin configured like {@link HttpApi} (same threads,
 * same body handling) answering {@code POST /v1/jobs} with a 202 and a fresh id, storing
 * nothing. {@code spillway bench bare-server} runs it.
 */
public final class BareServer {
    private BareServer() {
    }

    public static Javalin create(ServerConfig config) {
        var ids = new JobIds(InstantSource.system());
        var json = new JobJson(Json.MAPPER.getFactory(), true);
        return Javalin.create(cfg -> {
            HttpApi.configureServer(cfg, config, "bare-http", null);
            cfg.routes.post("/v1/jobs", ctx -> {
                ctx.req().getInputStream().readNBytes((int) config.maxBodyBytes() + 1);
                var id = ids.next();
                ctx.status(202).header("Location", "/v1/jobs/" + id).contentType(RequestBodies.JSON).result(json.accepted(id));
            });
        });
    }
}
