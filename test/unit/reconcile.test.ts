import type {
  CalendlyClient,
  InviteeSummary,
  ScheduledEventSummary,
} from '../../src/calendly/client';
import { meetingMarker } from '../../src/lifecycle';
import {
  applyReconciliation,
  planReconciliation,
  toInviteeEvent,
  type ReconcileDeps,
  type ReconciliationPlan,
} from '../../src/reconcile';
import { harness, type Harness } from '../support/lifecycle-harness';
import { inviteeEvent, inviteeUri } from '../support/invitee-events';

const API = 'https://api.calendly.com';
const HOST = 'host@example.com';
/** After the harness clock (2026-11-26T12:00Z): upcoming. */
const START = '2026-12-01T15:00:00Z';
const WINDOW = { since: '2026-11-19T00:00:00.000Z', until: '2027-01-25T00:00:00.000Z' };
const ORG = { organization: `${API}/organizations/org-1` };

interface BookingSpec {
  status?: 'active' | 'canceled';
  invitees?: Record<string, 'active' | 'canceled'>;
  start?: string;
  location?: { type: string; joinUrl: string | null };
}

/** Calendly's API as reconcile reads it: scheduled events and their invitees. */
class FakeCalendly implements Pick<CalendlyClient, 'listScheduledEvents' | 'listEventInvitees'> {
  readonly events: ScheduledEventSummary[] = [];
  readonly invitees = new Map<string, InviteeSummary[]>();
  readonly queries: Parameters<CalendlyClient['listScheduledEvents']>[0][] = [];

  booking(uuid: string, spec: BookingSpec = {}): this {
    const start = spec.start ?? START;
    const uri = `${API}/scheduled_events/${uuid}`;
    this.events.push({
      uri,
      uuid,
      name: 'Discovery Call',
      status: spec.status ?? 'active',
      startTime: start,
      endTime: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
      hostEmails: [HOST],
      locationType: spec.location?.type ?? 'custom',
      locationJoinUrl: spec.location?.joinUrl ?? null,
    });
    const invitees = spec.invitees ?? {
      'inv-1': spec.status === 'canceled' ? 'canceled' : 'active',
    };
    this.invitees.set(
      uri,
      Object.entries(invitees).map(([id, status]) => ({
        uri: inviteeUri(uuid, id),
        name: `Invitee ${id}`,
        email: `${id}@example.com`,
        status,
        timezone: 'UTC',
        rescheduled: false,
        oldInvitee: null,
        newInvitee: null,
        createdAt: null,
      })),
    );
    return this;
  }

  async listScheduledEvents(query: Parameters<CalendlyClient['listScheduledEvents']>[0]) {
    this.queries.push(query);
    return this.events.filter((e) => query.status === undefined || e.status === query.status);
  }

  async listEventInvitees(eventUri: string) {
    return this.invitees.get(eventUri) ?? [];
  }
}

function setup(config: Parameters<typeof harness>[0] = {}) {
  const h = harness(config);
  const calendly = new FakeCalendly();
  const deps: ReconcileDeps = {
    calendly,
    store: h.store,
    zoom: h.zoom,
    config: h.deps.config,
    now: h.deps.now,
  };
  return {
    h,
    calendly,
    plan: (): Promise<ReconciliationPlan> => planReconciliation(deps, ORG, WINDOW),
    apply: (plan: ReconciliationPlan) => applyReconciliation(plan, h.deps),
  };
}

/** A booking the receiver handled: record active, meeting live. */
async function booked(h: Harness, event = 'ev-1', invitee = 'inv-1'): Promise<string> {
  const outcome = await h.handle(inviteeEvent('invitee.created', { event, invitee, start: START }));
  if (!outcome.meeting) throw new Error('setup: no meeting was made');
  return outcome.meeting.id;
}

describe('planReconciliation', () => {
  it('lists active and cancelled events of the window, and counts agreeing bookings as consistent', async () => {
    const { h, calendly, plan } = setup();
    await booked(h);
    calendly.booking('ev-1');

    const result = await plan();

    expect(calendly.queries).toEqual([
      { ...ORG, minStartTime: WINDOW.since, maxStartTime: WINDOW.until, status: 'active' },
      { ...ORG, minStartTime: WINDOW.since, maxStartTime: WINDOW.until, status: 'canceled' },
    ]);
    expect(result).toMatchObject({ checked: 1, consistent: 1, findings: [] });
  });

  it('finds a missing meeting: an active booking with no record and no meeting in Zoom', async () => {
    const { calendly, plan } = setup();
    calendly.booking('ev-1');

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        eventUuid: 'ev-1',
        kinds: ['missing_meeting'],
        recordStatus: null,
        fix: 'create_meeting',
      }),
    ]);
  });

  it('finds a ghost meeting: a cancelled booking whose recorded meeting still lives in Zoom', async () => {
    const { h, calendly, plan } = setup();
    const meetingId = await booked(h);
    // The cancel was recorded, but the meeting came back / was never deleted in Zoom.
    const zoomMeeting = h.zoom.meetings.get(meetingId);
    await h.handle(inviteeEvent('invitee.canceled', { start: START }));
    if (zoomMeeting) h.zoom.meetings.set(meetingId, zoomMeeting);
    calendly.booking('ev-1', { status: 'canceled' });

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        kinds: ['ghost_meeting'],
        recordStatus: 'cancelled',
        meetingId,
        fix: 'delete_meeting',
      }),
    ]);
  });

  it('finds a ghost meeting with no record, by the marker in its agenda', async () => {
    const { h, calendly, plan } = setup();
    const orphan = await h.zoom.createMeeting(HOST, {
      topic: 't',
      startTime: START,
      durationMinutes: 30,
      agenda: meetingMarker(`${API}/scheduled_events/ev-1`),
    });
    calendly.booking('ev-1', { status: 'canceled' });

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        kinds: ['ghost_meeting'],
        meetingId: orphan.id,
        recordStatus: null,
      }),
    ]);
  });

  it('finds a stale record: the record is active but Calendly cancelled the booking', async () => {
    const { h, calendly, plan } = setup();
    const meetingId = await booked(h);
    calendly.booking('ev-1', { status: 'canceled' });

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        kinds: ['stale_record', 'ghost_meeting'],
        recordStatus: 'active',
        meetingId,
        fix: 'cancel_booking',
      }),
    ]);
  });

  it('finds a stale record without a ghost when the meeting is already gone from Zoom', async () => {
    const { h, calendly, plan } = setup();
    const meetingId = await booked(h);
    h.zoom.meetings.delete(meetingId);
    calendly.booking('ev-1', { status: 'canceled' });

    const { findings } = await plan();

    expect(findings).toEqual([expect.objectContaining({ kinds: ['stale_record'] })]);
  });

  it('finds a stale record: the record is finished but Calendly has an active invitee it never saw', async () => {
    const { h, calendly, plan } = setup();
    await h.handle(inviteeEvent('invitee.canceled', { invitee: 'inv-1', start: START }));
    calendly.booking('ev-1', { invitees: { 'inv-1': 'canceled', 'inv-2': 'active' } });

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        kinds: ['stale_record', 'missing_meeting'],
        recordStatus: 'tombstoned',
        fix: 'create_meeting',
      }),
    ]);
  });

  it('finds a stale record: invitees joined and left a group booking without the record knowing', async () => {
    const { h, calendly, plan } = setup();
    await booked(h, 'ev-1', 'inv-1');
    await h.handle(inviteeEvent('invitee.created', { invitee: 'inv-2', start: START }));
    calendly.booking('ev-1', {
      invitees: { 'inv-1': 'active', 'inv-2': 'canceled', 'inv-3': 'active' },
    });

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({ kinds: ['stale_record'], fix: 'sync_invitees' }),
    ]);
    expect(findings[0]?.problem).toMatch(/1 booked and 1 cancelled/);
  });

  it('finds a record left "creating" by a worker that died after reaching Zoom', async () => {
    const { h, calendly, plan } = setup();
    h.zoom.failNext('create', 'after_create_timeout');
    await expect(h.handle(inviteeEvent('invitee.created', { start: START }))).rejects.toThrow();
    // Once Zoom could no longer be making the meeting, the booking is no longer held.
    h.clock.advance(h.deps.config.createSettleMs + 1);
    calendly.booking('ev-1');

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({ kinds: ['stale_record'], recordStatus: 'creating' }),
    ]);
  });

  it('finds a meeting Zoom has but the store never recorded, and plans to adopt it', async () => {
    const { h, calendly, plan } = setup();
    const orphan = await h.zoom.createMeeting(HOST, {
      topic: 't',
      startTime: START,
      durationMinutes: 30,
      agenda: meetingMarker(`${API}/scheduled_events/ev-1`),
    });
    calendly.booking('ev-1');

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({
        kinds: ['stale_record'],
        meetingId: orphan.id,
        fix: 'adopt_meeting',
      }),
    ]);
  });

  it('reports a recorded meeting deleted by hand in Zoom as missing, to be replaced', async () => {
    const { h, calendly, plan } = setup();
    const meetingId = await booked(h);
    h.zoom.meetings.delete(meetingId);
    calendly.booking('ev-1');

    const { findings } = await plan();

    expect(findings).toEqual([
      expect.objectContaining({ kinds: ['missing_meeting'], meetingId, fix: 'replace_meeting' }),
    ]);
  });

  it("skips bookings with Calendly's own Zoom link, as the lifecycle does", async () => {
    const { calendly, plan } = setup();
    calendly.booking('ev-1', { location: { type: 'zoom', joinUrl: 'https://zoom.us/j/1' } });

    const result = await plan();

    expect(result).toMatchObject({ findings: [], skipped: { nativeZoom: 1 } });
  });

  it('checks native Zoom bookings too when NATIVE_ZOOM=create', async () => {
    const { calendly, plan } = setup({ config: { nativeZoom: 'create' } });
    calendly.booking('ev-1', { location: { type: 'zoom', joinUrl: 'https://zoom.us/j/1' } });

    const { findings } = await plan();

    expect(findings.map((f) => f.kinds)).toEqual([['missing_meeting']]);
  });

  it('skips a booking a delivery is working on right now', async () => {
    const { h, calendly, plan } = setup();
    await h.store.claimCreate({
      eventUuid: 'ev-1',
      eventUri: `${API}/scheduled_events/ev-1`,
      inviteeUri: inviteeUri('ev-1', 'inv-1'),
      owner: 'busy-worker',
      now: h.clock.now,
      leaseMs: 60_000,
      startTime: START,
      durationMinutes: 30,
      reschedule: null,
      rescheduleMode: 'recreate',
    });
    calendly.booking('ev-1');

    const result = await plan();

    expect(result).toMatchObject({ findings: [], skipped: { inProgress: 1 } });
  });

  it('skips active bookings that are already over: a meeting now would help nobody', async () => {
    const { calendly, plan } = setup();
    calendly.booking('ev-1', { start: '2026-11-20T10:00:00Z' });

    const result = await plan();

    expect(result).toMatchObject({ findings: [], skipped: { over: 1 } });
  });

  it('does not call a moved meeting a ghost: in move mode it belongs to the new booking', async () => {
    const { h, calendly, plan } = setup({ config: { reschedule: 'move' } });
    await booked(h, 'ev-old', 'inv-old');
    await h.handle(
      inviteeEvent('invitee.canceled', {
        event: 'ev-old',
        invitee: 'inv-old',
        start: START,
        rescheduled: true,
        newInvitee: inviteeUri('ev-new', 'inv-new'),
      }),
    );
    await h.handle(
      inviteeEvent('invitee.created', {
        event: 'ev-new',
        invitee: 'inv-new',
        start: '2026-12-02T15:00:00Z',
        oldInvitee: inviteeUri('ev-old', 'inv-old'),
      }),
    );
    calendly
      .booking('ev-old', { status: 'canceled', invitees: { 'inv-old': 'canceled' } })
      .booking('ev-new', { start: '2026-12-02T15:00:00Z', invitees: { 'inv-new': 'active' } });

    const result = await plan();

    expect(result).toMatchObject({ findings: [], consistent: 2 });
  });

  it('reports progress once per booking', async () => {
    const { h, calendly } = setup();
    calendly.booking('ev-1').booking('ev-2', { start: '2026-12-02T15:00:00Z' });
    const steps: string[] = [];

    await planReconciliation(
      { calendly, store: h.store, zoom: h.zoom, config: h.deps.config, now: h.deps.now },
      ORG,
      WINDOW,
      (done, total) => steps.push(`${done}/${total}`),
    );

    expect(steps).toEqual(['0/2', '1/2', '2/2']);
  });
});

describe('applyReconciliation', () => {
  it('creates a missing meeting through the lifecycle', async () => {
    const { h, calendly, plan, apply } = setup();
    calendly.booking('ev-1');

    const results = await apply(await plan());

    expect(results).toEqual([expect.objectContaining({ result: 'fixed', outcomes: ['created'] })]);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(await h.store.get('ev-1')).toMatchObject({
      status: 'active',
      meeting: { id: h.zoom.liveMeetings()[0]?.id },
    });
  });

  it('deletes a ghost meeting the record already calls cancelled', async () => {
    const { h, calendly, plan, apply } = setup();
    const meetingId = await booked(h);
    const zoomMeeting = h.zoom.meetings.get(meetingId);
    await h.handle(inviteeEvent('invitee.canceled', { start: START }));
    if (zoomMeeting) h.zoom.meetings.set(meetingId, zoomMeeting);
    calendly.booking('ev-1', { status: 'canceled' });

    const results = await apply(await plan());

    expect(results).toEqual([expect.objectContaining({ result: 'fixed' })]);
    expect(h.zoom.meetings.has(meetingId)).toBe(false);
  });

  it('deletes an unrecorded ghost meeting and leaves a tombstone so a late create makes none', async () => {
    const { h, calendly, plan, apply } = setup();
    await h.zoom.createMeeting(HOST, {
      topic: 't',
      startTime: START,
      durationMinutes: 30,
      agenda: meetingMarker(`${API}/scheduled_events/ev-1`),
    });
    calendly.booking('ev-1', { status: 'canceled' });

    const results = await apply(await plan());
    const late = await h.handle(inviteeEvent('invitee.created', { start: START }));

    expect(results).toEqual([
      expect.objectContaining({ result: 'fixed', outcomes: ['tombstoned'] }),
    ]);
    expect(h.zoom.liveMeetings()).toHaveLength(0);
    expect(late.outcome).toBe('tombstoned');
  });

  it('cancels a stale active record through the lifecycle, deleting its meeting', async () => {
    const { h, calendly, plan, apply } = setup();
    const meetingId = await booked(h);
    calendly.booking('ev-1', { status: 'canceled' });

    const results = await apply(await plan());

    expect(results).toEqual([
      expect.objectContaining({ result: 'fixed', outcomes: ['cancelled'] }),
    ]);
    expect(h.zoom.meetings.has(meetingId)).toBe(false);
    expect(await h.store.get('ev-1')).toMatchObject({ status: 'cancelled' });
  });

  it('reopens a finished record for an invitee it never saw', async () => {
    const { h, calendly, plan, apply } = setup();
    await h.handle(inviteeEvent('invitee.canceled', { invitee: 'inv-1', start: START }));
    calendly.booking('ev-1', { invitees: { 'inv-1': 'canceled', 'inv-2': 'active' } });

    const results = await apply(await plan());

    expect(results).toEqual([expect.objectContaining({ result: 'fixed', outcomes: ['created'] })]);
    expect(await h.store.get('ev-1')).toMatchObject({
      status: 'active',
      invitees: {
        [inviteeUri('ev-1', 'inv-1')]: 'canceled',
        [inviteeUri('ev-1', 'inv-2')]: 'active',
      },
    });
  });

  it("brings a group booking's invitees in line and keeps its meeting", async () => {
    const { h, calendly, plan, apply } = setup();
    const meetingId = await booked(h, 'ev-1', 'inv-1');
    await h.handle(inviteeEvent('invitee.created', { invitee: 'inv-2', start: START }));
    calendly.booking('ev-1', {
      invitees: { 'inv-1': 'active', 'inv-2': 'canceled', 'inv-3': 'active' },
    });

    const results = await apply(await plan());

    expect(results).toEqual([
      expect.objectContaining({
        result: 'fixed',
        outcomes: ['kept_for_other_invitees', 'duplicate'],
      }),
    ]);
    expect(h.zoom.meetings.has(meetingId)).toBe(true);
    expect((await h.store.get('ev-1'))?.invitees).toEqual({
      [inviteeUri('ev-1', 'inv-1')]: 'active',
      [inviteeUri('ev-1', 'inv-2')]: 'canceled',
      [inviteeUri('ev-1', 'inv-3')]: 'active',
    });
  });

  it("finishes a dead worker's create by recovering its meeting, never making a second", async () => {
    const { h, calendly, plan, apply } = setup();
    h.zoom.failNext('create', 'after_create_timeout');
    await expect(h.handle(inviteeEvent('invitee.created', { start: START }))).rejects.toThrow();
    // Once Zoom could no longer be making the meeting, the booking is no longer held.
    h.clock.advance(h.deps.config.createSettleMs + 1);
    calendly.booking('ev-1');

    const results = await apply(await plan());

    expect(results).toEqual([expect.objectContaining({ result: 'fixed' })]);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect((await h.store.get('ev-1'))?.meeting?.id).toBe(h.zoom.liveMeetings()[0]?.id);
  });

  it('adopts a meeting Zoom has but the store never recorded, without making a second', async () => {
    const { h, calendly, plan, apply } = setup();
    const orphan = await h.zoom.createMeeting(HOST, {
      topic: 't',
      startTime: START,
      durationMinutes: 30,
      agenda: meetingMarker(`${API}/scheduled_events/ev-1`),
    });
    calendly.booking('ev-1');

    const results = await apply(await plan());

    expect(results).toEqual([expect.objectContaining({ result: 'fixed' })]);
    expect(h.zoom.liveMeetings()).toHaveLength(1);
    expect(await h.store.get('ev-1')).toMatchObject({
      status: 'active',
      meeting: { id: orphan.id, host: HOST },
    });
  });

  it('replaces a recorded meeting deleted by hand in Zoom, and the booking points at the new one', async () => {
    const { h, calendly, plan, apply } = setup();
    const meetingId = await booked(h);
    h.zoom.meetings.delete(meetingId);
    calendly.booking('ev-1');

    const results = await apply(await plan());

    expect(results).toEqual([
      expect.objectContaining({ fix: 'replace_meeting', result: 'fixed', outcomes: ['created'] }),
    ]);
    const live = h.zoom.liveMeetings();
    expect(live).toHaveLength(1);
    expect(live[0]?.id).not.toBe(meetingId);
    expect((await h.store.get('ev-1'))?.meeting?.id).toBe(live[0]?.id);
    expect((await plan()).findings).toEqual([]);
  });

  it('leaves what it cannot fix safely, saying what a person must do', async () => {
    const { h, calendly, plan, apply } = setup();
    await booked(h);
    await h.handle(inviteeEvent('invitee.canceled', { start: START }));
    // Calendly still lists the invitee as booked: the store never brings back a cancelled one.
    calendly.booking('ev-1');

    const results = await apply(await plan());

    expect(results).toEqual([
      expect.objectContaining({ result: 'not_fixed', message: expect.stringMatching(/by hand/) }),
    ]);
    expect(h.zoom.liveMeetings()).toHaveLength(0);
  });

  it('goes on with the other fixes when one fails, and reports the failure', async () => {
    const { h, calendly, plan, apply } = setup();
    calendly.booking('ev-1').booking('ev-2', { start: '2026-12-02T15:00:00Z' });
    const planned = await plan();
    h.zoom.failNext('create', 'server_error');

    const results = await apply(planned);

    expect(results.map((r) => [r.eventUuid, r.result])).toEqual([
      ['ev-1', 'failed'],
      ['ev-2', 'fixed'],
    ]);
    expect(results[0]?.message).toMatch(/Zoom is unavailable/);
  });
});

describe('toInviteeEvent', () => {
  it('rebuilds the delivery Calendly would have sent, normalised like a parsed webhook', () => {
    const calendly = new FakeCalendly().booking('ev-1');
    const [event] = calendly.events;
    const [invitee] = calendly.invitees.get(`${API}/scheduled_events/ev-1`) ?? [];
    if (!event || !invitee) throw new Error('setup');

    expect(toInviteeEvent('invitee.created', event, invitee)).toMatchObject({
      kind: 'invitee.created',
      eventUuid: 'ev-1',
      inviteeUri: inviteeUri('ev-1', 'inv-1'),
      startTime: START,
      endTime: '2026-12-01T15:30:00Z',
      durationMinutes: 30,
      hostEmail: HOST,
      invitee: { name: 'Invitee inv-1', email: 'inv-1@example.com', timezone: 'UTC' },
      location: { type: 'custom', joinUrl: null },
      format: 'v2',
    });
  });
});
