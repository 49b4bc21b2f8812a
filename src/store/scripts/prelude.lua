-- Shared by every store script (lua-scripts.ts puts it in front of each one): the snapshot reads,
-- the record helpers of transitions.ts, and how writes land. Each transition reads everything it
-- needs, decides, and only then writes (apply), exactly like the pure rules in transitions.ts.
--
-- ARGV[1] key prefix, ARGV[2] input as JSON, ARGV[3] retention of finished records in seconds.
-- Keys are derived here rather than passed in KEYS: a reschedule follows the invitee index to a
-- booking the caller cannot name in advance. Upstash allows that under its default global script
-- lock; the scripts must therefore never opt into `allow-key-locking` (every key in KEYS).

local PREFIX = ARGV[1]
local INPUT = cjson.decode(ARGV[2])
local RETENTION = tonumber(ARGV[3])
local AUDIT_LIMIT = 20
local NULL = cjson.null

-- JSON null decodes to cjson.null, which Lua treats as true: test it explicitly.
local function val(x)
  if x == NULL then return nil end
  return x
end

-- JavaScript truthiness, so every `x ? a : b` and `!x` of transitions.ts reads the same here.
local function truthy(x)
  return x ~= nil and x ~= NULL and x ~= false and x ~= '' and x ~= 0
end

local function booking_key(event_uuid)
  return PREFIX .. 'booking:' .. event_uuid
end

local function invitee_key(invitee_uri)
  return PREFIX .. 'invitee:' .. invitee_uri
end

-- Snapshot.record / Snapshot.eventOfInvitee
local function record_of(event_uuid)
  local json = redis.call('GET', booking_key(event_uuid))
  if not json then return nil end
  return cjson.decode(json)
end

local function event_of_invitee(invitee_uri)
  local uuid = redis.call('GET', invitee_key(invitee_uri))
  if not uuid then return nil end
  return uuid
end

-- cjson writes numbers with 14 significant digits and every empty table as {}; records hold
-- timestamps that must round-trip exactly and an `audit` array. So encode by hand: %.17g is exact
-- for any double, and `audit` is the one array in the schema.
local encode
local function encode_table(t, key)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  local parts = {}
  if key == 'audit' or (n > 0 and n == #t) then
    for i = 1, #t do parts[i] = encode(t[i]) end
    return '[' .. table.concat(parts, ',') .. ']'
  end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do parts[i] = cjson.encode(k) .. ':' .. encode(t[k], k) end
  return '{' .. table.concat(parts, ',') .. '}'
end

encode = function(v, key)
  local kind = type(v)
  if v == nil or v == NULL then return 'null' end
  if kind == 'boolean' then return tostring(v) end
  if kind == 'string' then return cjson.encode(v) end
  if kind == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then error('cannot store a non-finite number') end
    return string.format('%.17g', v)
  end
  if kind == 'table' then return encode_table(v, key) end
  error('cannot store a ' .. kind)
end

local function copy(t)
  if type(t) ~= 'table' then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = copy(v) end
  return c
end

local function append_audit(record, now, action, detail)
  local entry = { at = now, action = action }
  if detail ~= nil then entry.detail = detail end
  table.insert(record.audit, entry)
  while #record.audit > AUDIT_LIMIT do table.remove(record.audit, 1) end
end

-- A copy to change, never the snapshot's own table.
local function touch(record, now, action, detail)
  local c = copy(record)
  c.updatedAt = now
  append_audit(c, now, action, detail)
  return c
end

local function new_record(event_uuid, event_uri, now, action, reschedule_mode)
  return {
    eventUuid = event_uuid,
    eventUri = event_uri,
    status = 'creating',
    meeting = NULL,
    startTime = NULL,
    durationMinutes = NULL,
    invitees = {},
    replaces = NULL,
    supersededBy = NULL,
    lease = NULL,
    recoveryNeeded = false,
    cancelRequested = NULL,
    pendingMove = false,
    movingFrom = NULL,
    rescheduleMode = reschedule_mode,
    createdAt = now,
    updatedAt = now,
    audit = { { at = now, action = action } },
  }
end

local function lease_live(record, now)
  return val(record.lease) ~= nil and record.lease.expiresAt > now
end

local function lease_owner(record)
  local lease = val(record.lease)
  return lease and lease.owner
end

local function active_invitees(record)
  local uris = {}
  for uri, state in pairs(record.invitees) do
    if state == 'active' then uris[#uris + 1] = uri end
  end
  return uris
end

local function is_finished(record)
  local s = record.status
  return (s == 'cancelled' or s == 'superseded' or s == 'tombstoned') and not truthy(record.pendingMove)
end

-- modeFor of transitions.ts: a booking's recorded reschedule mode, else the caller's setting.
local function mode_for(record, input)
  if record and truthy(record.rescheduleMode) then return record.rescheduleMode end
  return input.rescheduleMode
end

local function no_writes()
  return { records = {}, index = {} }
end

-- An invitee's index entry lives exactly as long as the booking it points to: it expires with a
-- finished one and is kept forever (PERSIST) while the booking is live or reopened.
local function sync_index_ttl(invitee_uri, written)
  local key = invitee_key(invitee_uri)
  local uuid = redis.call('GET', key)
  if not uuid then return end
  local record = written[uuid] or record_of(uuid)
  if record and not is_finished(record) then
    redis.call('PERSIST', key)
    return
  end
  local ttl = record and redis.call('PTTL', booking_key(uuid)) or -1
  if ttl > 0 then
    redis.call('PEXPIRE', key, ttl)
  else
    redis.call('EXPIRE', key, RETENTION)
  end
end

-- Same order as the in-memory adapter: records, then the index.
local function apply(writes)
  local written = {}
  for _, record in ipairs(writes.records) do
    local key = booking_key(record.eventUuid)
    if is_finished(record) then
      redis.call('SET', key, encode(record), 'EX', RETENTION)
    else
      -- A plain SET also drops the TTL of a finished booking that was reopened.
      redis.call('SET', key, encode(record))
    end
    written[record.eventUuid] = record
  end
  for _, entry in ipairs(writes.index) do
    redis.call('SET', invitee_key(entry.inviteeUri), entry.eventUuid)
  end
  for _, record in pairs(written) do
    for uri in pairs(record.invitees) do sync_index_ttl(uri, written) end
  end
  for _, entry in ipairs(writes.index) do sync_index_ttl(entry.inviteeUri, written) end
end
