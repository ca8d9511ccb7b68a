-- wrk script: POST a small echo job to /v1/jobs
wrk.method = "POST"
wrk.body   = '{"task":"echo","input":{"text":"The quick brown fox jumps over the lazy dog."}}'
wrk.headers["Content-Type"] = "application/json"
