-- NotificationOutbox.list / counts in one round trip: prune what is past its retention, then the
-- newest `limit` items of each wanted status, and the size of each.

local now, limit = INPUT.now, INPUT.limit
redis.call('ZREMRANGEBYSCORE', outbox_key('delivered'), '-inf', now - DELIVERED_RETENTION_MS)
redis.call('ZREMRANGEBYSCORE', outbox_key('failed'), '-inf', now - FAILED_RETENTION_MS)
local out = { counts = {}, items = {} }
for _, status in ipairs({ 'pending', 'delivered', 'failed' }) do
  out.counts[status] = redis.call('ZCARD', outbox_key(status))
  if limit ~= 0 and (val(INPUT.status) == nil or INPUT.status == status) then
    local ids = redis.call('ZREVRANGE', outbox_key(status), 0, limit < 0 and -1 or limit - 1)
    for _, item_id in ipairs(ids) do
      local json = redis.call('GET', item_key(item_id))
      if json then out.items[#out.items + 1] = cjson.decode(json) end
    end
  end
end
return encode(out)
