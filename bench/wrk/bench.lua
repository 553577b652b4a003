-- bench/wrk/bench.lua: one wrk script for every row of `make bench`.
--
-- Environment (set by bench/run.py):
--   BENCH_LINES    file prefix: thread t reads <prefix><t> when it exists,
--                  else <prefix>; one request per line, fields separated
--                  by TAB: METHOD, PATH, HEADERS ("Name: v|Name: v"), BODY.
--                  Lines are sent in order and wrap around at the end
--                  (a wrap is counted: items meant to be single-use then
--                  show up as errors).
--   BENCH_XFF      "1": a distinct X-Forwarded-For per request
--   BENCH_CAPTURE  Lua pattern applied to "location: <value>\n" .. body;
--                  the first capture is appended to BENCH_CAPTURE_OUT<t>
--   BENCH_CHAIN    "1": each captured value (43 characters: a rotated
--                  refresh token) is also queued as a new request built
--                  from the last line of the file with the value put in
--                  place of the literal CHAINVALUE, so a rotation chain
--                  never runs dry and no token is sent twice
--   BENCH_OUT      JSON summary written by done(); the first 4xx/5xx
--                  bodies of each thread go to BENCH_OUT.err<t>
local counter = 0

local threads = {}
local nthreads = 0

function setup(thread)
   thread:set("id", nthreads)
   table.insert(threads, thread)
   nthreads = nthreads + 1
end

local function split(s, sep)
   local out = {}
   local start = 1
   while true do
      local i = string.find(s, sep, start, true)
      if not i then
         table.insert(out, string.sub(s, start))
         return out
      end
      table.insert(out, string.sub(s, start, i - 1))
      start = i + 1
   end
end

local reqs = {}
local nreqs = 0
local pos = 0
local xff = os.getenv("BENCH_XFF") == "1"
local pattern = os.getenv("BENCH_CAPTURE")
local capfile = nil
local chain = os.getenv("BENCH_CHAIN") == "1"
local template = nil
ok2xx, ok3xx, bad4xx, bad5xx, wraps = 0, 0, 0, 0, 0

function init(args)
   local prefix = os.getenv("BENCH_LINES")
   if prefix then
      local f = io.open(prefix .. id, "r") or io.open(prefix, "r")
      for line in f:lines() do
         local p = split(line, "\t")
         local hdrs = {}
         if p[3] and p[3] ~= "" then
            for _, h in ipairs(split(p[3], "|")) do
               local c = string.find(h, ":", 1, true)
               hdrs[string.sub(h, 1, c - 1)] = string.sub(h, c + 2)
            end
         end
         if p[4] and p[4] ~= "" then
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
         end
         nreqs = nreqs + 1
         reqs[nreqs] = { p[1], p[2], hdrs, (p[4] ~= "" and p[4]) or nil }
      end
      f:close()
      if chain then
         template = reqs[nreqs]
         reqs[nreqs] = nil
         nreqs = nreqs - 1
      end
   end
   if pattern then
      capfile = io.open(os.getenv("BENCH_CAPTURE_OUT") .. id, "w")
   end
end

function request()
   counter = counter + 1
   local hdrs = nil
   if nreqs == 0 then
      hdrs = {}
      if xff then
         hdrs["X-Forwarded-For"] = string.format("10.%d.%d.%d", id,
            math.floor(counter / 256) % 256, counter % 256)
      end
      return wrk.format(nil, nil, hdrs)
   end
   pos = pos + 1
   if pos > nreqs then
      pos = 1
      wraps = wraps + 1
   end
   local r = reqs[pos]
   hdrs = r[3]
   if xff then
      hdrs["X-Forwarded-For"] = string.format("10.%d.%d.%d", 64 + id,
         math.floor(counter / 256) % 256, counter % 256)
   end
   return wrk.format(r[1], r[2], hdrs, r[4])
end

local errfile = nil
local errlogged = 0

function response(status, headers, body)
   if status >= 400 and errlogged < 3 and os.getenv("BENCH_OUT") then
      errfile = errfile or io.open(os.getenv("BENCH_OUT") .. ".err" .. id, "w")
      errfile:write(status, " ", string.sub(body or "", 1, 300), "\n")
      errfile:flush()
      errlogged = errlogged + 1
   end
   if status < 300 then
      ok2xx = ok2xx + 1
   elseif status < 400 then
      ok3xx = ok3xx + 1
   elseif status < 500 then
      bad4xx = bad4xx + 1
   else
      bad5xx = bad5xx + 1
   end
   if capfile then
      local loc = headers["location"] or headers["Location"] or ""
      local v = string.match("location: " .. loc .. "\n" .. (body or ""),
         pattern)
      if v then
         capfile:write(v, "\n")
         capfile:flush()
         if chain and string.len(v) == 43 then
            local h = {}
            for k, x in pairs(template[3]) do h[k] = x end
            nreqs = nreqs + 1
            reqs[nreqs] = { template[1], template[2], h,
               (string.gsub(template[4], "CHAINVALUE", v)) }
         end
      end
   end
end

function done(summary, latency, requests)
   local s = { 0, 0, 0, 0, 0 }
   for _, t in ipairs(threads) do
      s[1] = s[1] + (t:get("ok2xx") or 0)
      s[2] = s[2] + (t:get("ok3xx") or 0)
      s[3] = s[3] + (t:get("bad4xx") or 0)
      s[4] = s[4] + (t:get("bad5xx") or 0)
      s[5] = s[5] + (t:get("wraps") or 0)
   end
   local e = summary.errors
   local f = io.open(os.getenv("BENCH_OUT"), "w")
   f:write(string.format('{"requests": %d, "duration_us": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, "wraps": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
      '"timeout": %d}}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max,
      s[1], s[2], s[3], s[4], s[5],
      e.connect, e.read, e.write, e.status, e.timeout))
   f:close()
end
