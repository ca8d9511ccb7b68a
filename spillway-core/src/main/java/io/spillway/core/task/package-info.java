/**
 * The task SPI: what a kind of work implements ({@link io.spillway.core.task.TaskHandler}),
 * how tasks are named and found ({@link io.spillway.core.task.TaskRegistry}), and how a handler
 * refuses bad input ({@link io.spillway.core.task.InvalidInputException}). The tasks themselves are
 * elsewhere: {@code echo} and {@code sleep} in {@code io.spillway.core.builtin}, the AI tasks in
 * their modules.
 */
package io.spillway.core.task;
