-- NotificationOutbox.complete: record one delivery attempt's result (completed() of outbox.ts).
-- Ignored unless the caller still holds the item. A finished item leaves its queue, and the next
-- item of the same booking and channel becomes due.

local now, result = INPUT.now, INPUT.result
local json = redis.call('GET', item_key(INPUT.itemId))
local item = json and cjson.decode(json)
if not item or item.status ~= 'pending' or lease_owner(item) ~= INPUT.owner then return encode({}) end
item.lease = NULL
local function leave_queue(status, ttl_ms)
  redis.call('SET', item_key(item.itemId), encode(item), 'PX', ttl_ms)
  redis.call('ZREM', outbox_key('due'), item.itemId)
  redis.call('ZREM', outbox_key('pending'), item.itemId)
  redis.call('ZADD', outbox_key(status), now, item.itemId)
  local queue = queue_key(item.notice.booking.eventUuid, item.channel)
  redis.call('LREM', queue, 1, item.itemId)
  local next_id = redis.call('LINDEX', queue, 0)
  local next_json = next_id and redis.call('GET', item_key(next_id))
  if next_json then
    redis.call('ZADD', outbox_key('due'), cjson.decode(next_json).nextAttemptAt, next_id)
  end
end
if result.type == 'delivered' then
  item.status = 'delivered'
  item.deliveredAt = now
  leave_queue('delivered', DELIVERED_RETENTION_MS)
elseif result.type == 'retry' then
  item.nextAttemptAt = result.at
  item.lastError = result.error
  redis.call('SET', item_key(item.itemId), encode(item))
  redis.call('ZADD', outbox_key('due'), result.at, item.itemId)
else
  -- A failed item has no next attempt: the field keeps when it failed.
  item.status = 'failed'
  item.lastError = result.error
  item.nextAttemptAt = now
  leave_queue('failed', FAILED_RETENTION_MS)
end
return encode({})
