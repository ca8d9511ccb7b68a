package io.spillway.core.task;

/** A job's input cannot be run by its task; the message is shown to the client as is. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
