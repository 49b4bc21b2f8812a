-- NotificationOutbox.claimDue: lease up to `limit` due items. Only the head of each (booking,
-- channel) queue is ever in the due set, so order per booking holds; a leased item's score is its
-- lease expiry, so no other dispatcher sees it until the lease runs out.

local now, limit = INPUT.now, INPUT.limit
redis.call('ZREMRANGEBYSCORE', outbox_key('delivered'), '-inf', now - DELIVERED_RETENTION_MS)
redis.call('ZREMRANGEBYSCORE', outbox_key('failed'), '-inf', now - FAILED_RETENTION_MS)
local claimed = {}
local ids = redis.call('ZRANGEBYSCORE', outbox_key('due'), '-inf', now, 'LIMIT', 0, limit)
for _, item_id in ipairs(ids) do
  local json = redis.call('GET', item_key(item_id))
  local item = json and cjson.decode(json)
  if not item or item.status ~= 'pending' then
    redis.call('ZREM', outbox_key('due'), item_id)
  else
    item.attempts = item.attempts + 1
    item.lease = { owner = INPUT.owner, expiresAt = now + INPUT.leaseMs }
    redis.call('SET', item_key(item_id), encode(item))
    redis.call('ZADD', outbox_key('due'), item.lease.expiresAt, item_id)
    claimed[#claimed + 1] = encode(item)
  end
end
return '[' .. table.concat(claimed, ',') .. ']'
