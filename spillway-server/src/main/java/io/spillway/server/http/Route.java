package io.spillway.server.http;

/** One HTTP route the API serves: method, Javalin path, and what it does. */
public record Route(String method, String path, String summary) {

    /** The path as OpenAPI writes it: {@code {id}} stays, Javalin's {@code <id>} becomes {@code {id}}. */
    public String openApiPath() {
        return path.replace('<', '{').replace('>', '}');
    }
}
