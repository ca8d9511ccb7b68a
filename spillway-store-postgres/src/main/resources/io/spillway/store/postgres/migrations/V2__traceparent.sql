-- The W3C trace context a job was submitted in, carried to the worker.
ALTER TABLE jobs ADD COLUMN traceparent text;
