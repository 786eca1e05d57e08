-- wrk script: requests the paths of a file in turn (one per line, optionally a tab and a
-- session token sent as the antes_session cookie), and prints a JSON summary at the end.
local lines = {}
local next_line = 0

function init(args)
  for line in io.lines(args[1]) do
    lines[#lines + 1] = line
  end
  -- Threads start at different places in the list (a table's address differs per thread).
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  next_line = math.random(#lines) - 1
end

function request()
  next_line = next_line % #lines + 1
  local path, token = lines[next_line]:match("^([^\t]*)\t?(.*)$")
  local headers = {}
  if token ~= "" then
    headers["Cookie"] = "antes_session=" .. token
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"p50_ms":%.3f,"p99_ms":%.3f,"rps":%.1f,"requests":%d,"socket_errors":%d,"non_2xx":%d}\n',
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
