import { randomUUID } from 'node:crypto';
import type { Notice } from '../store/outbox';

const HOUR_MS = 3_600_000;

/**
 * A made-up meeting.created for `notifications test`: recognisably a sample (example.com
 * addresses, a `sample_` id), starting tomorrow on the hour, with a fresh id each time so a
 * consumer that dedupes on webhook-id does not drop the second test.
 */
export function sampleNotice(now: number): Notice {
  const eventUuid = randomUUID();
  const start = Math.ceil((now + 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  return {
    id: `sample_${randomUUID()}`,
    type: 'meeting.created',
    occurredAt: now,
    booking: {
      eventUri: `https://api.calendly.com/scheduled_events/${eventUuid}`,
      eventUuid,
      inviteeUri: `https://api.calendly.com/scheduled_events/${eventUuid}/invitees/${randomUUID()}`,
      eventName: 'calendly-zoom test notification',
      hostEmail: 'host@example.com',
      invitee: { name: 'Test Invitee', email: 'invitee@example.com', timezone: 'Europe/Berlin' },
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + HOUR_MS / 2).toISOString(),
    },
    meeting: {
      id: '85012345678',
      joinUrl: 'https://zoom.us/j/85012345678',
      password: null,
      host: 'host@example.com',
    },
    previous: null,
    reason: null,
    attention: null,
    sequence: 0,
  };
}
