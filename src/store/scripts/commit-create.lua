-- commitCreate of transitions.ts, rule for rule.

local function commit_create(input)
  local now, meeting = input.now, input.meeting
  local existing = record_of(input.eventUuid)
  if not existing then return { result = { type = 'lost', record = NULL }, writes = no_writes() } end

  if existing.status == 'active' then
    -- Whoever took over found our meeting by its marker and committed it: same meeting, done.
    local same = val(existing.meeting) ~= nil and existing.meeting.id == meeting.id
    return { result = { type = same and 'committed' or 'lost', record = existing }, writes = no_writes() }
  end
  if existing.status ~= 'creating' then
    return { result = { type = 'lost', record = existing }, writes = no_writes() }
  end
  local record = touch(existing, now, 'meeting_created', meeting.id)
  record.meeting = meeting
  record.movingFrom = NULL
  if truthy(record.cancelRequested) then
    record.status = 'cancelling'
    local lease = val(existing.lease)
    local expires_at = lease and val(lease.expiresAt)
    if expires_at == nil then expires_at = now end
    record.lease = { owner = input.owner, expiresAt = expires_at }
    return { result = { type = 'cancel_requested', record = record }, writes = { records = { record }, index = {} } }
  end
  record.status = 'active'
  record.lease = NULL
  record.recoveryNeeded = false
  return { result = { type = 'committed', record = record }, writes = { records = { record }, index = {} } }
end

local applied = commit_create(INPUT)
apply(applied.writes)
return encode(applied.result)
