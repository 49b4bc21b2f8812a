-- Shared by every store script (lua-scripts.ts puts it in front of each one): the snapshot reads,
-- the record helpers of transitions.ts, and how writes land. Each transition reads everything it
-- needs, decides, and only then writes (apply), exactly like the pure rules in transitions.ts.
--
-- ARGV[1] key prefix, ARGV[2] input as JSON, ARGV[3] retention of finished records in seconds,
-- ARGV[4] the outbox channels as a JSON array (notices are written only when there are some).
-- Keys are derived here rather than passed in KEYS: a reschedule follows the invitee index to a
-- booking the caller cannot name in advance. Upstash allows that under its default global script
-- lock; the scripts must therefore never opt into `allow-key-locking` (every key in KEYS).

local PREFIX = ARGV[1]
local INPUT = cjson.decode(ARGV[2])
local RETENTION = tonumber(ARGV[3])
local CHANNELS = cjson.decode(ARGV[4] or '[]')
-- DELIVERED_RETENTION_MS / FAILED_RETENTION_MS of outbox.ts
local DELIVERED_RETENTION_MS = 24 * 3600 * 1000
local FAILED_RETENTION_MS = 7 * 24 * 3600 * 1000
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
-- timestamps that must round-trip exactly and arrays that may be empty. So encode by hand: %.17g
-- is exact for any double, and `audit` and `told` are the arrays in the schema (`items` in an
-- outbox listing).
local ARRAYS = { audit = true, told = true, items = true }
local encode
local function encode_table(t, key)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  local parts = {}
  if ARRAYS[key] or (n > 0 and n == #t) then
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

-- auditEntry of transitions.ts: the delivery behind the change goes with it.
local function audit_entry(input, action, detail)
  local entry = { at = input.now, action = action }
  if detail ~= nil then entry.detail = detail end
  if truthy(input.via) then entry.via = input.via end
  return entry
end

local function append_audit(record, input, action, detail)
  table.insert(record.audit, audit_entry(input, action, detail))
  while #record.audit > AUDIT_LIMIT do table.remove(record.audit, 1) end
end

-- settle of transitions.ts: the latest entry settled its delivery with this outcome.
local function settle(record, outcome)
  local last = record.audit[#record.audit]
  if last then last.outcome = outcome end
end

-- A copy to change, never the snapshot's own table.
local function touch(record, input, action, detail)
  local c = copy(record)
  c.updatedAt = input.now
  append_audit(c, input, action, detail)
  return c
end

local function new_record(event_uuid, event_uri, input, action, reschedule_mode)
  local now = input.now
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
    booking = NULL,
    announced = NULL,
    attention = NULL,
    createdAt = now,
    updatedAt = now,
    audit = { audit_entry(input, action) },
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

-- giveUpMove of transitions.ts: the kept meeting's old booking goes to cancelling, held by the caller.
local function give_up_move(old, input, action, detail)
  local record = touch(old, input, action, detail)
  record.status = 'cancelling'
  record.pendingMove = false
  record.cancelRequested = 'superseded'
  record.lease = { owner = input.owner, expiresAt = input.now + input.leaseMs }
  return record
end

local function no_writes()
  return { records = {}, index = {}, notices = {} }
end

local function record_write(record)
  return { records = { record }, index = {}, notices = {} }
end

local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- legacyContext of transitions.ts
local function legacy_context(record)
  local start = val(record.startTime) or ''
  -- The first by sort order, as in transitions.ts: key order differs between stores.
  local active = active_invitees(record)
  table.sort(active)
  local invitee_uri = active[1]
  if not invitee_uri then
    local all = {}
    for uri in pairs(record.invitees) do all[#all + 1] = uri end
    table.sort(all)
    invitee_uri = all[1]
  end
  local meeting = val(record.meeting)
  return {
    eventUri = record.eventUri, eventUuid = record.eventUuid, inviteeUri = invitee_uri or '',
    eventName = '', hostEmail = meeting and meeting.host or NULL,
    invitee = { name = '', email = '', timezone = NULL }, startTime = start, endTime = start,
  }
end

-- draft of transitions.ts: a notice about `record`; the start URL never goes into one.
local function draft(kind, record, input, extra)
  local meeting = val(record.meeting)
  local notice = {
    type = kind,
    occurredAt = input.now,
    booking = val(input.context) or val(record.booking) or legacy_context(record),
    meeting = meeting and { id = meeting.id, joinUrl = meeting.joinUrl,
      password = meeting.password, host = meeting.host } or NULL,
    previous = NULL, reason = NULL, attention = NULL, sequence = 0,
  }
  for k, v in pairs(extra or {}) do notice[k] = v end
  return notice
end

-- Only a meeting its people were told of (existing.announced) is announced as gone.
local function announce_gone(writes, existing, record, input, reason)
  local announced = val(existing.announced)
  if not announced then return end
  table.insert(writes.notices, draft('meeting.deleted', record, input,
    { sequence = announced.sequence + 1, reason = reason }))
end

local function outbox_key(name)
  return PREFIX .. 'outbox:' .. name
end

local function item_key(item_id)
  return outbox_key('item:' .. item_id)
end

local function queue_key(event_uuid, channel)
  return outbox_key('q:' .. event_uuid .. '|' .. redis.sha1hex(channel):sub(1, 10))
end

-- channelsFor of outbox.ts
local WEBHOOK_TYPES = { ['meeting.created'] = true, ['meeting.moved'] = true,
  ['meeting.deleted'] = true, ['booking.needs_attention'] = true }
local function channels_for(kind)
  local out = {}
  for _, channel in ipairs(CHANNELS) do
    local email = channel == 'email' and kind ~= 'booking.needs_attention'
    local webhook = WEBHOOK_TYPES[kind] and string.sub(channel, 1, 8) == 'webhook:'
    if email or webhook then out[#out + 1] = channel end
  end
  return out
end

-- outboxItems of outbox.ts, queued per (booking, channel): only the head of a queue is due.
local function write_notices(notices)
  for _, notice in ipairs(notices) do
    local targets = channels_for(notice.type)
    if #targets > 0 then
      local seq = redis.call('INCR', outbox_key('seq'))
      notice.id = 'msg_' .. redis.sha1hex(PREFIX .. ':' .. seq .. ':' .. notice.occurredAt):sub(1, 32)
      for _, channel in ipairs(targets) do
        local item = {
          itemId = notice.id .. ':' .. redis.sha1hex(channel):sub(1, 10),
          channel = channel, notice = notice, status = 'pending', attempts = 0,
          createdAt = notice.occurredAt, nextAttemptAt = notice.occurredAt,
          lastError = NULL, deliveredAt = NULL, lease = NULL,
        }
        redis.call('SET', item_key(item.itemId), encode(item))
        redis.call('ZADD', outbox_key('pending'), item.createdAt, item.itemId)
        local queue = queue_key(notice.booking.eventUuid, channel)
        if redis.call('RPUSH', queue, item.itemId) == 1 then
          redis.call('ZADD', outbox_key('due'), item.nextAttemptAt, item.itemId)
        end
      end
    end
  end
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
  write_notices(writes.notices or {})
end
