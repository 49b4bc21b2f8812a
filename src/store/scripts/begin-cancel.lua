-- beginCancel and knownElsewhere of transitions.ts, rule for rule.

-- The new half of a reschedule already has a booking of its own: nothing would take the meeting over.
local function known_elsewhere(invitee_uri)
  local event_uuid = truthy(invitee_uri) and event_of_invitee(invitee_uri) or nil
  return event_uuid ~= nil and record_of(event_uuid) ~= nil
end

local function begin_cancel(input)
  local event_uuid, invitee_uri, now = input.eventUuid, input.inviteeUri, input.now
  local superseded_by = input.supersededBy
  if superseded_by == nil then superseded_by = NULL end
  local writes = { records = {}, index = { { inviteeUri = invitee_uri, eventUuid = event_uuid } }, notices = {} }
  local existing = record_of(event_uuid)

  if not existing then
    local record = new_record(event_uuid, input.eventUri, input, 'tombstoned', input.rescheduleMode)
    record.status = 'tombstoned'
    record.invitees[invitee_uri] = 'canceled'
    record.supersededBy = superseded_by
    settle(record, 'tombstoned')
    table.insert(writes.records, record)
    return { result = { type = 'tombstoned', record = record }, writes = writes }
  end

  local already_canceled = existing.invitees[invitee_uri] == 'canceled'
  local record = touch(existing, input, 'invitee_canceled', invitee_uri)
  record.invitees[invitee_uri] = 'canceled'
  if truthy(superseded_by) and #active_invitees(record) == 0 then
    record.supersededBy = superseded_by
  end
  local function take_lease()
    append_audit(record, input, 'lease_taken_over', lease_owner(existing))
    record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
  end
  local function write(kind, outcome)
    if outcome then settle(record, outcome) end
    table.insert(writes.records, record)
    return { result = { type = kind, record = record }, writes = writes }
  end
  local function unchanged(kind)
    return { result = { type = kind, record = existing }, writes = no_writes() }
  end

  local status = existing.status
  if status == 'tombstoned' then
    if already_canceled then return unchanged('done') end
    return write('tombstoned', 'tombstoned')
  end
  if status == 'cancelled' or status == 'superseded' then
    if already_canceled then return unchanged('done') end
    return write('done', 'duplicate')
  end
  if status == 'cancelling' then
    if lease_live(existing, now) then
      if already_canceled then return unchanged('in_progress') end
      return write('in_progress')
    end
    take_lease()
    return write('delete')
  end
  if status == 'creating' then
    if #active_invitees(record) > 0 then return write('kept', 'kept_for_other_invitees') end
    record.cancelRequested = input.finalStatus
    if lease_live(existing, now) then
      -- A settling create has nobody to delete what it makes: not acknowledged until it can.
      if truthy(existing.lease.settling) then return write('in_progress') end
      return write('deferred', input.finalStatus)
    end
    take_lease()
    return write('recover')
  end
  if status == 'active' then
    if #active_invitees(record) > 0 then
      -- Only this invitee's calendar entry goes; the others keep the meeting.
      local announced = val(record.announced)
      if announced and contains(announced.told, invitee_uri) then
        table.insert(writes.notices, draft('invitee.left', record, input,
          { sequence = announced.sequence + 1, reason = input.finalStatus }))
        local told = {}
        for _, uri in ipairs(announced.told) do
          if uri ~= invitee_uri then told[#told + 1] = uri end
        end
        announced.told = told
      end
      return write('kept', 'kept_for_other_invitees')
    end
    if input.finalStatus == 'superseded' and mode_for(existing, input) == 'move'
      and truthy(input.supersededBy) and truthy(record.meeting)
      and not known_elsewhere(superseded_by) then
      record.status = 'superseded'
      record.pendingMove = true
      return write('kept_for_move', 'superseded')
    end
    record.status = 'cancelling'
    record.cancelRequested = input.finalStatus
    record.lease = { owner = input.owner, expiresAt = now + input.leaseMs }
    return write('delete')
  end
  error('booking ' .. event_uuid .. ' has an unknown status')
end

local applied = begin_cancel(INPUT)
apply(applied.writes)
return encode(applied.result)
