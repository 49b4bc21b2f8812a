-- releaseLease of transitions.ts, rule for rule.

local function release_lease(input)
  local existing = record_of(input.eventUuid)
  if not existing
    or lease_owner(existing) ~= input.owner
    or (existing.status ~= 'creating' and existing.status ~= 'cancelling')
  then
    return { writes = no_writes() }
  end
  local attention = val(input.attention)
  local record = touch(existing, input, 'lease_released', attention and attention.reason or nil)
  -- An unsettled create keeps the booking held (by nobody alive) until Zoom could have finished.
  if truthy(val(input.settleUntil)) then
    record.lease = { owner = input.owner, expiresAt = input.settleUntil, settling = true }
  else
    record.lease = NULL
  end
  if record.status == 'creating' and not truthy(record.movingFrom) then
    record.recoveryNeeded = not truthy(input.certainNoMeeting)
  end
  settle(record, attention and 'needs_attention' or 'failed')
  local writes = record_write(record)
  if attention then
    local previous = val(existing.attention)
    local same = previous ~= nil and previous.reason == attention.reason
    record.attention = { reason = attention.reason, message = attention.message,
      at = same and previous.at or input.now }
    -- Once per cause: Calendly's retries of the same failure for a day announce nothing new.
    if not same then
      table.insert(writes.notices, draft('booking.needs_attention', record, input,
        { meeting = NULL, attention = record.attention }))
    end
  end
  return { writes = writes }
end

apply(release_lease(INPUT).writes)
return encode({})
