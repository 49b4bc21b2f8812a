-- claimCreate, tryMove and abandonMove of transitions.ts, rule for rule.

local function old_invitee_of(input)
  local reschedule = val(input.reschedule)
  return reschedule and val(reschedule.oldInviteeUri)
end

-- oldBooking of transitions.ts: the booking this one replaces, when known.
local function old_booking(input)
  local old_invitee_uri = old_invitee_of(input)
  local old_uuid = truthy(old_invitee_uri) and event_of_invitee(old_invitee_uri) or nil
  return truthy(old_uuid) and record_of(old_uuid) or nil
end

local function try_move(input, old, existing, writes)
  local old_invitee_uri = old_invitee_of(input)
  if not truthy(old_invitee_uri) or not old or not truthy(old.meeting)
    or mode_for(old, input) ~= 'move' then
    return nil
  end
  if old.status == 'creating' or old.status == 'cancelling' then
    return { result = { type = 'in_progress', record = old }, writes = no_writes() }
  end
  local others = 0
  for _, uri in ipairs(active_invitees(old)) do
    if uri ~= old_invitee_uri then others = others + 1 end
  end
  local movable = (old.status == 'active' and others == 0)
    or (old.status == 'superseded' and truthy(old.pendingMove) and old.supersededBy == input.inviteeUri)
  if not movable then return nil end

  local now = input.now
  local from = touch(old, input, 'meeting_moved_out', input.inviteeUri)
  from.status = 'superseded'
  from.supersededBy = input.inviteeUri
  from.pendingMove = false
  from.lease = NULL
  -- The meeting and what its people were told of it go with it to the new booking.
  from.announced = NULL
  from.invitees[old_invitee_uri] = 'canceled'

  local record
  if existing then
    record = touch(existing, input, 'reopened', input.inviteeUri)
  else
    record = new_record(input.eventUuid, input.eventUri, input, 'claimed', mode_for(old, input))
  end
  record.status = 'creating'
  record.meeting = copy(old.meeting)
  record.booking = val(input.context) or val(record.booking) or NULL
  record.announced = copy(old.announced) or NULL
  record.startTime = input.startTime
  record.durationMinutes = input.durationMinutes
  record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
  record.recoveryNeeded = false
  record.cancelRequested = NULL
  record.pendingMove = false
  record.movingFrom = old.eventUuid
  record.replaces = old_invitee_uri
  append_audit(record, input, 'meeting_moved_in', old.eventUuid)
  record.invitees[input.inviteeUri] = 'active'
  table.insert(writes.records, from)
  table.insert(writes.records, record)
  return { result = { type = 'move', record = record, from = from }, writes = writes }
end

local function abandon_move(input)
  local old_invitee_uri = old_invitee_of(input)
  local old_uuid = truthy(old_invitee_uri) and event_of_invitee(old_invitee_uri) or nil
  local old = truthy(old_uuid) and record_of(old_uuid) or nil
  if not old or old.supersededBy ~= input.inviteeUri then return nil end
  local waiting = old.status == 'superseded' and truthy(old.pendingMove)
  local stalled = old.status == 'cancelling' and old.cancelRequested == 'superseded'
  if not waiting and not stalled then return nil end
  local existing = record_of(input.eventUuid)
  if not existing then return nil end
  if stalled and lease_live(old, input.now) then
    return { result = { type = 'in_progress', record = existing }, writes = no_writes() }
  end
  local from = give_up_move(old, input, 'move_abandoned', input.inviteeUri)
  return { result = { type = 'abandon_move', record = existing, from = from }, writes = record_write(from) }
end

local function claim_create(input)
  local event_uuid, invitee_uri, now = input.eventUuid, input.inviteeUri, input.now
  local writes = { records = {}, index = { { inviteeUri = invitee_uri, eventUuid = event_uuid } }, notices = {} }
  local existing = record_of(event_uuid)

  if existing and existing.invitees[invitee_uri] == 'canceled' then
    -- The late create of a cancelled invitee makes nothing, unless the booking's create or delete
    -- was abandoned half-way: then this redelivery finishes the clean-up.
    local unfinished = (existing.status == 'creating' and val(existing.cancelRequested) ~= nil)
      or existing.status == 'cancelling'
    if not unfinished then
      return abandon_move(input)
        or { result = { type = 'refused', record = existing }, writes = no_writes() }
    end
    if lease_live(existing, now) then
      return { result = { type = 'in_progress', record = existing }, writes = no_writes() }
    end
    local record = touch(existing, input, 'lease_taken_over', lease_owner(existing))
    record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
    return { result = { type = 'recover', record = record }, writes = record_write(record) }
  end

  if existing and existing.status == 'active' then
    local invitee_added = existing.invitees[invitee_uri] == nil
    -- An invitee who joined while the meeting was being made has not been told of it yet.
    local announced = val(existing.announced)
    local untold = announced ~= nil and not contains(announced.told, invitee_uri)
    if not invitee_added and not untold then
      return { result = { type = 'exists', record = existing, inviteeAdded = false }, writes = writes }
    end
    local record = touch(existing, input, invitee_added and 'invitee_joined' or 'invitee_told', invitee_uri)
    record.invitees[invitee_uri] = 'active'
    settle(record, 'duplicate')
    if val(record.announced) then
      table.insert(writes.notices,
        draft('invitee.joined', record, input, { sequence = record.announced.sequence }))
      table.insert(record.announced.told, invitee_uri)
    end
    table.insert(writes.records, record)
    return { result = { type = 'exists', record = record, inviteeAdded = invitee_added }, writes = writes }
  end

  if existing and existing.status == 'creating' then
    local record = touch(existing, input, 'invitee_joined', invitee_uri)
    record.invitees[invitee_uri] = 'active'
    -- A live invitee means the meeting is wanted after all.
    record.cancelRequested = NULL
    if lease_live(existing, now) then
      table.insert(writes.records, record)
      return { result = { type = 'in_progress', record = record }, writes = writes }
    end
    record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
    append_audit(record, input, 'lease_taken_over', lease_owner(existing))
    table.insert(writes.records, record)
    local kind = 'claimed'
    if truthy(existing.recoveryNeeded) or truthy(existing.movingFrom) then kind = 'recover' end
    -- The new holder is about to call Zoom: if it dies too, its successor must search.
    record.recoveryNeeded = not truthy(record.movingFrom)
    return { result = { type = kind, record = record }, writes = writes }
  end

  if existing and (existing.status == 'cancelling' or truthy(existing.pendingMove)) then
    return { result = { type = 'in_progress', record = existing }, writes = no_writes() }
  end

  local old = old_booking(input)
  local moved = try_move(input, old, existing, writes)
  if moved then return moved end

  local record
  if existing then
    record = touch(existing, input, 'reopened', invitee_uri)
  else
    record = new_record(event_uuid, input.eventUri, input, 'claimed', mode_for(old, input))
  end
  local replaces = old_invitee_of(input)
  if replaces == nil then replaces = record.replaces end
  record.status = 'creating'
  record.meeting = NULL
  record.booking = val(input.context) or val(record.booking) or NULL
  record.announced = NULL
  record.startTime = input.startTime
  record.durationMinutes = input.durationMinutes
  record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
  record.recoveryNeeded = true
  record.cancelRequested = NULL
  record.pendingMove = false
  record.movingFrom = NULL
  record.replaces = replaces
  record.invitees[invitee_uri] = 'active'
  table.insert(writes.records, record)
  return { result = { type = 'claimed', record = record }, writes = writes }
end

local applied = claim_create(INPUT)
apply(applied.writes)
return encode(applied.result)
