-- wrk script: POST a small echo job to /v1/jobs (with BENCH_API_KEY set, as that API key)
wrk.method = "POST"
wrk.body   = '{"task":"echo","input":{"text":"The quick brown fox jumps over the lazy dog."}}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
