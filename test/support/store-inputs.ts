import type { StoredMeeting } from '../../src/store/booking-record';
import type { BeginCancelInput, ClaimCreateInput } from '../../src/store/booking-store';
import type { BookingContext } from '../../src/store/outbox';

/** What the store contract suites hand every adapter: one booking, `ev-1`, unless told otherwise. */
export const T0 = Date.parse('2026-11-26T12:00:00Z');
export const LEASE = 60_000;
export const EVENT = 'ev-1';

export const eventUri = (event = EVENT): string =>
  `https://api.calendly.com/scheduled_events/${event}`;
export const inviteeUri = (id: string, event = EVENT): string =>
  `${eventUri(event)}/invitees/${id}`;

/** A create by worker w1 of invitee `a` of ev-1, 30 minutes. */
export function claimInput(overrides: Partial<ClaimCreateInput> = {}): ClaimCreateInput {
  return {
    eventUuid: EVENT,
    eventUri: eventUri(),
    inviteeUri: inviteeUri('a'),
    owner: 'w1',
    now: T0,
    leaseMs: LEASE,
    startTime: '2026-12-01T15:00:00Z',
    durationMinutes: 30,
    reschedule: null,
    rescheduleMode: 'recreate',
    ...overrides,
  };
}

/** A plain cancellation by worker c1 of invitee `a` of ev-1, a second later. */
export function cancelInput(overrides: Partial<BeginCancelInput> = {}): BeginCancelInput {
  return {
    eventUuid: EVENT,
    eventUri: eventUri(),
    inviteeUri: inviteeUri('a'),
    owner: 'c1',
    now: T0 + 1000,
    leaseMs: LEASE,
    finalStatus: 'cancelled',
    supersededBy: null,
    rescheduleMode: 'recreate',
    ...overrides,
  };
}

/** An 11-digit id, and a start URL holding the host's secret (never to leave the store). */
export const storedMeeting = (id = '85746065432'): StoredMeeting => ({
  id,
  joinUrl: `https://zoom.us/j/${id}?pwd=abc`,
  startUrl: `https://zoom.us/s/${id}?zak=host-secret`,
  password: '123456',
  host: 'host@example.com',
});

/** What a delivery of invitee `invitee` of `event` says about the booking. */
export function bookingContextOf(
  invitee = 'a',
  event = EVENT,
  start = '2026-12-01T15:00:00Z',
): BookingContext {
  return {
    eventUri: eventUri(event),
    eventUuid: event,
    inviteeUri: inviteeUri(invitee, event),
    eventName: 'Intro call',
    hostEmail: 'host@example.com',
    invitee: { name: `Invitee ${invitee}`, email: `${invitee}@example.com`, timezone: 'UTC' },
    startTime: start,
    endTime: start.replace('15:00', '15:30'),
  };
}
