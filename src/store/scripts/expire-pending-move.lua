-- expirePendingMove of transitions.ts, rule for rule.

local function expire_pending_move(input)
  local existing = record_of(input.eventUuid)
  if not existing or existing.status ~= 'superseded' or not truthy(existing.pendingMove)
    or existing.updatedAt > input.waitingSince then
    return { result = { type = 'unchanged', record = existing or NULL }, writes = no_writes() }
  end
  local record = give_up_move(existing, input, 'move_expired', val(existing.supersededBy))
  return { result = { type = 'delete', record = record }, writes = record_write(record) }
end

local applied = expire_pending_move(INPUT)
apply(applied.writes)
return encode(applied.result)
