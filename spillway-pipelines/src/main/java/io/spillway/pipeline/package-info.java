/**
 * Tasks made of tasks. {@link io.spillway.pipeline.Pipelines} reads pipeline definitions (the
 * built-in {@code document} pipeline and a user's YAML file) into {@link io.spillway.pipeline.PipelineSpec}s;
 * {@link io.spillway.pipeline.PipelineTask} runs one as a DAG of steps on other tasks' handlers,
 * checkpointing each step's result in the store so a retry on any worker resumes it;
 * {@link io.spillway.pipeline.Templates} fills step inputs and results from earlier results;
 * {@link io.spillway.pipeline.SummarizeRouter} sends {@code summarize} to a remote model or the
 * built-in one.
 */
package io.spillway.pipeline;
