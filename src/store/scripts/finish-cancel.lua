-- finishCancel of transitions.ts, rule for rule.

local function finish_cancel(input)
  local existing = record_of(input.eventUuid)
  if not existing or (existing.status ~= 'cancelling' and existing.status ~= 'creating') then
    return { result = existing or NULL, writes = no_writes() }
  end
  if existing.status == 'creating' and not truthy(existing.cancelRequested) then
    -- An invitee joined the group event while we cleaned up: its own delivery comes back to
    -- create the meeting it still wants.
    local record = touch(existing, input, 'cleanup_done', input.zoomResult)
    record.lease = NULL
    record.recoveryNeeded = false
    record.meeting = NULL
    record.movingFrom = NULL
    return { result = record, writes = record_write(record) }
  end
  local record = touch(existing, input, 'meeting_deleted', input.zoomResult)
  record.status = val(existing.cancelRequested) or 'cancelled'
  record.cancelRequested = NULL
  record.lease = NULL
  record.recoveryNeeded = false
  record.movingFrom = NULL
  record.pendingMove = false
  if truthy(record.meeting) then record.meeting.startUrl = NULL end
  if record.status == 'superseded' then
    settle(record, 'superseded')
  elseif input.zoomResult == 'already_gone' then
    settle(record, 'already_gone')
  else
    settle(record, 'cancelled')
  end
  local writes = record_write(record)
  local reason = val(input.reason)
  if reason == nil then
    reason = record.status == 'superseded' and 'superseded' or 'cancelled'
  end
  announce_gone(writes, existing, record, input, reason)
  record.announced = NULL
  return { result = record, writes = writes }
end

local applied = finish_cancel(INPUT)
apply(applied.writes)
return encode({ record = applied.result })
