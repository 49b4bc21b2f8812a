-- NotificationOutbox.retry: failed items back in the queue, due now (at the end of their
-- booking's queue: they are retried by hand, after what came since). Returns how many.

local now = INPUT.now
local ids = val(INPUT.itemIds)
if ids == nil then ids = redis.call('ZRANGE', outbox_key('failed'), 0, -1) end
local retried = 0
for _, item_id in ipairs(ids) do
  local json = redis.call('GET', item_key(item_id))
  local item = json and cjson.decode(json)
  if item and item.status == 'failed' then
    item.status = 'pending'
    item.attempts = 0
    item.nextAttemptAt = now
    redis.call('SET', item_key(item_id), encode(item))
    redis.call('ZREM', outbox_key('failed'), item_id)
    redis.call('ZADD', outbox_key('pending'), item.createdAt, item_id)
    local queue = queue_key(item.notice.booking.eventUuid, item.channel)
    if redis.call('RPUSH', queue, item_id) == 1 then
      redis.call('ZADD', outbox_key('due'), now, item_id)
    end
    retried = retried + 1
  end
end
return tostring(retried)
