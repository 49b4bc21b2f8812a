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
  local record = touch(existing, input, 'meeting_created', meeting.id)
  record.meeting = meeting
  record.movingFrom = NULL
  record.booking = val(input.context) or val(record.booking) or NULL
  if truthy(record.cancelRequested) then
    record.status = 'cancelling'
    local lease = val(existing.lease)
    local expires_at = lease and val(lease.expiresAt)
    if expires_at == nil then expires_at = now end
    record.lease = { owner = input.owner, expiresAt = expires_at }
    return { result = { type = 'cancel_requested', record = record }, writes = record_write(record) }
  end
  record.status = 'active'
  record.lease = NULL
  record.recoveryNeeded = false
  record.attention = NULL
  local writes = record_write(record)
  local existing_meeting = val(existing.meeting)
  local moved = truthy(existing.movingFrom) and existing_meeting ~= nil and existing_meeting.id == meeting.id
  local from = moved and record_of(existing.movingFrom) or nil
  local sequence = 0
  if moved then
    local announced = val(existing.announced)
    sequence = (announced and announced.sequence or 0) + 1
  end
  settle(record, moved and 'moved' or 'created')
  local previous = NULL
  if from and truthy(from.startTime) and val(from.durationMinutes) ~= nil then
    previous = { startTime = from.startTime, durationMinutes = from.durationMinutes }
  end
  table.insert(writes.notices, draft(moved and 'meeting.moved' or 'meeting.created', record, input,
    { sequence = sequence, previous = previous }))
  local booking = val(record.booking)
  record.announced = { meetingId = meeting.id, sequence = sequence, told = booking and { booking.inviteeUri } or {} }
  return { result = { type = 'committed', record = record }, writes = writes }
end

local applied = commit_create(INPUT)
apply(applied.writes)
return encode(applied.result)
