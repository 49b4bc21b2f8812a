-- releaseLease of transitions.ts, rule for rule.

local function release_lease(input)
  local existing = record_of(input.eventUuid)
  if not existing
    or lease_owner(existing) ~= input.owner
    or (existing.status ~= 'creating' and existing.status ~= 'cancelling')
  then
    return { writes = no_writes() }
  end
  local record = touch(existing, input.now, 'lease_released')
  record.lease = NULL
  if record.status == 'creating' and not truthy(record.movingFrom) then
    record.recoveryNeeded = not truthy(input.certainNoMeeting)
  end
  return { writes = { records = { record }, index = {} } }
end

apply(release_lease(INPUT).writes)
return encode({})
