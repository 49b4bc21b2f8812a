// What does the lifecycle itself cost per delivery, Zoom and the store aside? Both are in-process
// fakes here, so the figure is the engine's own overhead: claim, host choice, topic, commit,
// outcome. Target: median < 200 µs per event.

import type { InviteeEvent } from '../src/calendly/invitee-event';
import { DEFAULT_LIFECYCLE_CONFIG, handleInviteeEvent, type LifecycleDeps } from '../src/lifecycle';
import { silentLogger } from '../src/log';
import { MemoryBookingStore } from '../src/store/memory';
import type { ZoomMeeting, ZoomMeetings } from '../src/zoom/types';
import type { BenchResult } from './run';
import { micros, percentile, timed } from './stats';

const EVENTS = 5000;
const MAX_MEDIAN_US = 200;

/** The smallest Zoom that answers like the real one; it never fails. */
function instantZoom(): ZoomMeetings {
  let next = 90_000_000_000;
  const meeting = (id: string): ZoomMeeting => ({
    id,
    joinUrl: `https://zoom.example/j/${id}`,
    startUrl: null,
    password: null,
    hostId: null,
    topic: '',
    agenda: null,
    startTime: null,
    durationMinutes: null,
  });
  return {
    createMeeting: async () => meeting(String(next++)),
    getMeeting: async (id) => meeting(id),
    updateMeeting: async () => undefined,
    deleteMeeting: async () => ({ status: 'deleted' }),
    getUser: async (email) => ({ id: email, email, status: 'active', accountId: null }),
    findMeetingByMarker: async () => null,
  };
}

function event(kind: InviteeEvent['kind'], i: number): InviteeEvent {
  const uuid = `bench-${i}`;
  const eventUri = `https://api.calendly.com/scheduled_events/${uuid}`;
  return {
    kind,
    eventUri,
    eventUuid: uuid,
    inviteeUri: `${eventUri}/invitees/inv-${i}`,
    inviteeUuid: `inv-${i}`,
    eventName: 'Discovery Call',
    eventTypeUri: null,
    startTime: '2026-12-01T15:00:00Z',
    endTime: '2026-12-01T15:30:00Z',
    durationMinutes: 30,
    hostEmail: 'host@example.com',
    hostEmails: ['host@example.com'],
    invitee: { name: 'Jane Doe', email: 'jane@example.com', timezone: 'UTC' },
    rescheduled: false,
    oldInviteeUri: null,
    newInviteeUri: null,
    location: { type: 'custom', status: null, joinUrl: null },
    seats: { active: 1, total: 1, limit: 1 },
    cancellation: null,
    questionsAndAnswers: [],
    cancelUrl: null,
    rescheduleUrl: null,
    deliveredAt: null,
    format: 'v2',
  };
}

export async function lifecycleBench(): Promise<BenchResult> {
  const deps: LifecycleDeps = {
    store: new MemoryBookingStore(),
    zoom: instantZoom(),
    now: Date.now,
    log: silentLogger,
    config: DEFAULT_LIFECYCLE_CONFIG,
  };
  // Warm-up on bookings of their own, so the timed ones all take the create path.
  for (let i = 0; i < 500; i++) await handleInviteeEvent(event('invitee.created', -1 - i), deps);

  const created: number[] = [];
  const cancelled: number[] = [];
  const duplicate: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    created.push(await timed(() => handleInviteeEvent(event('invitee.created', i), deps)));
    duplicate.push(await timed(() => handleInviteeEvent(event('invitee.created', i), deps)));
    cancelled.push(await timed(() => handleInviteeEvent(event('invitee.canceled', i), deps)));
  }
  const metrics = {
    created_median_us: micros(percentile(created, 50)),
    created_p99_us: micros(percentile(created, 99)),
    duplicate_median_us: micros(percentile(duplicate, 50)),
    cancelled_median_us: micros(percentile(cancelled, 50)),
    cancelled_p99_us: micros(percentile(cancelled, 99)),
  };
  const targets = {
    created_median_us: { max: MAX_MEDIAN_US },
    cancelled_median_us: { max: MAX_MEDIAN_US },
  };
  const pass =
    metrics.created_median_us <= MAX_MEDIAN_US && metrics.cancelled_median_us <= MAX_MEDIAN_US;
  return { name: 'lifecycle (in-process fakes)', metrics, targets, pass };
}
