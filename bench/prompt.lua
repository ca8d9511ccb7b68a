-- wrk script: the reference design's {"prompt"} form; refused with 422 while no text model is
-- configured, so it exercises HTTP and validation without writing to the store
wrk.method = "POST"
wrk.body   = '{"prompt": "Summarise the quarterly report in three bullet points."}'
wrk.headers["Content-Type"] = "application/json"
