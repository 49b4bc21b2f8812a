-- findByInvitee: the index lookup and the read in one round trip. Returns the stored JSON as is.

local event_uuid = event_of_invitee(INPUT.inviteeUri)
if not event_uuid then return false end
return redis.call('GET', booking_key(event_uuid))
