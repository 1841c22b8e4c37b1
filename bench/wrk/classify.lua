-- wrk script for ExpressionService's /classify: posts one prepared request body (a multipart form
-- or a raw image) read from the file named by WRK_BODY, with the content type in WRK_CONTENT_TYPE,
-- and prints one JSON line of results: counts by status and the latency percentiles.

local file = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE")
file:close()

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end

  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end

  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationMicroseconds":%d,"p50":%d,"p95":%d,"p99":%d,"statuses":{%s},' ..
    '"socketErrors":%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(parts, ","),
    errors.connect + errors.read + errors.write + errors.timeout))
end
