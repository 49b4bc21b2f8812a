-- forgetMeeting of transitions.ts, rule for rule.

local function forget_meeting(input)
  local existing = record_of(input.eventUuid)
  local meeting = existing and val(existing.meeting)
  if not existing or existing.status ~= 'active' or not meeting or meeting.id ~= input.meetingId then
    return { result = { type = 'unchanged', record = existing or NULL }, writes = no_writes() }
  end
  local record = touch(existing, input, 'meeting_forgotten', input.meetingId)
  local writes = record_write(record)
  announce_gone(writes, existing, record, input, 'deleted_in_zoom')
  record.status = 'creating'
  record.meeting = NULL
  record.announced = NULL
  record.booking = val(input.context) or val(record.booking) or NULL
  record.lease = { owner = input.owner, expiresAt = input.now + input.leaseMs }
  -- The meeting is known to be gone: nothing to search for before making a new one.
  record.recoveryNeeded = false
  record.cancelRequested = NULL
  record.movingFrom = NULL
  return { result = { type = 'claimed', record = record }, writes = writes }
end

local applied = forget_meeting(INPUT)
apply(applied.writes)
return encode(applied.result)
