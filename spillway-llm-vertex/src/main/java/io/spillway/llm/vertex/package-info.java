/**
 * Gemini on Vertex AI as a {@link io.spillway.llm.ChatModelProvider}, loaded only when a model
 * names it (its Google client libraries are large).
 */
package io.spillway.llm.vertex;
