import nock from 'nock';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  locations,
  type InviteeCanceledOptions,
  type InviteeCreatedOptions,
} from '../support/calendly-payloads';
import {
  App,
  CALENDLY,
  calendlyApi,
  calendlyBooking,
  connection,
  eventUri,
  HOST,
  inviteeUri,
  SECRET,
  tester,
  useBridge,
  useNock,
  zapierErrorOf,
  zoomApi,
  zoomMeeting,
  zoomToken,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

const createMeeting = App.creates.create_meeting.operation.perform;
const cancelMeeting = App.creates.cancel_meeting.operation.perform;
const syncBooking = App.creates.sync_booking.operation.perform;

/** The only field a booking action needs; everything else comes from Calendly (nock). */
function bundle(eventUuid: string, invitee = 'inv-1', settings: Record<string, unknown> = {}) {
  return {
    authData: connection(upstash.bridge),
    inputData: { invitee_uri: inviteeUri(eventUuid, invitee), ...settings },
  };
}

function booked(eventUuid: string, options: InviteeCreatedOptions = {}) {
  return buildInviteeCreated({ eventUuid, inviteeUuid: 'inv-1', ...options });
}

function canceled(eventUuid: string, options: InviteeCanceledOptions = {}) {
  return buildInviteeCanceled({ eventUuid, inviteeUuid: 'inv-1', ...options });
}

/** Zoom makes meeting `id` under `host`, and then answers for it as it has it. */
function zoomCreates(id: string, host = HOST, capture?: (body: Record<string, unknown>) => void) {
  return zoomApi()
    .post(`/v2/users/${encodeURIComponent(host)}/meetings`, (body: Record<string, unknown>) => {
      capture?.(body);
      return true;
    })
    .reply(201, zoomMeeting(id, { host_email: host }))
    .get(`/v2/meetings/${id}`)
    .reply(200, zoomMeeting(id, { host_email: host }));
}

/** A booking whose meeting `meetingId` was made by an earlier Create Meeting run. */
async function bookedWithMeeting(eventUuid: string, meetingId: string): Promise<void> {
  calendlyBooking(booked(eventUuid));
  zoomToken();
  zoomCreates(meetingId);
  await tester()(createMeeting, bundle(eventUuid));
}

const OLD = 'inv-old';
const NEW = 'inv-new';

/**
 * A booking rescheduled in Calendly: the old invitee, first active, then canceled as rescheduled,
 * and the new one that replaces it. Zoom answers for any meeting as it has it.
 */
function rescheduleInCalendly(oldUuid: string, newUuid: string): void {
  calendlyBooking(buildInviteeCreated({ eventUuid: oldUuid, inviteeUuid: OLD }));
  calendlyBooking(
    buildInviteeCanceled({
      eventUuid: oldUuid,
      inviteeUuid: OLD,
      newInvitee: { eventUuid: newUuid, inviteeUuid: NEW },
    }),
  );
  calendlyBooking(
    buildInviteeCreated({
      eventUuid: newUuid,
      inviteeUuid: NEW,
      start: '2026-03-11T14:00:00.000000Z',
      oldInvitee: { eventUuid: oldUuid, inviteeUuid: OLD },
    }),
  );
  zoomToken();
  zoomApi()
    .get(/\/v2\/meetings\/\d+$/)
    .times(5)
    .optionally()
    .reply(200, (uri) => zoomMeeting(uri.split('/').pop(), { host_email: HOST }));
}

describe('create_meeting, mapping only the Invitee URI', () => {
  it('makes the meeting from what Calendly says about the booking, and records it', async () => {
    const uuid = upstash.newEventUuid();
    const calendly = calendlyBooking(booked(uuid));
    const token = zoomToken();
    let sent: Record<string, unknown> = {};
    const zoom = zoomCreates('85746065432', HOST, (body) => (sent = body));

    const item = await tester()(createMeeting, bundle(uuid));

    expect(sent).toMatchObject({
      topic: '30 Minute Consultation with Jane Doe',
      start_time: '2026-03-10T14:00:00Z',
      duration: 30,
      agenda: expect.stringContaining(`[Calendly booking ${eventUri(uuid)}]`),
    });
    expect(item).toEqual({
      id: '85746065432',
      outcome: 'created',
      message: 'A Zoom meeting was created for the booking.',
      meeting_id: '85746065432',
      join_url: 'https://us06web.zoom.us/j/85746065432?pwd=join',
      start_url: SECRET.startUrl,
      password: 'k7Pq2x',
      host: HOST,
      host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
      host_name: 'Host 1',
      topic: '30 Minute Consultation with Jane Doe',
      start_time: '2026-03-10T14:00:00Z',
      duration_minutes: 30,
      timezone: 'UTC',
      event_uuid: uuid,
      event_uri: eventUri(uuid),
      event_name: '30 Minute Consultation',
      invitee_uri: inviteeUri(uuid),
      invitee_name: 'Jane Doe',
      invitee_email: 'jane.doe@example.com',
      invitee_timezone: 'America/New_York',
      booking_status: 'active',
    });
    expect((await upstash.store().get(uuid))?.meeting?.id).toBe('85746065432');
    expect(calendly.isDone() && token.isDone() && zoom.isDone()).toBe(true);
  });

  it('stops the Zap (Halted) on a second run for the same booking, making nothing', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid), 2);
    zoomToken();
    zoomCreates('85746065432');
    const run = tester();

    await run(createMeeting, bundle(uuid));
    const error = await zapierErrorOf(run(createMeeting, bundle(uuid)));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('This booking was already handled by an earlier run');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('returns the same meeting on a second run when "Stop this Zap" is off', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid), 2);
    zoomToken();
    zoomCreates('85746065432');
    zoomApi()
      .get('/v2/meetings/85746065432')
      .reply(200, zoomMeeting('85746065432', { host_email: HOST }));
    const run = tester();

    await run(createMeeting, bundle(uuid));
    const again = await run(createMeeting, bundle(uuid, 'inv-1', { halt_if_handled: 'false' }));

    expect(again).toMatchObject({
      outcome: 'duplicate',
      meeting_id: '85746065432',
      join_url: 'https://us06web.zoom.us/j/85746065432?pwd=join',
      topic: '30 Minute Consultation with Jane Doe',
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("lets a group event's second invitee through: it joins the meeting, news for later steps", async () => {
    const uuid = upstash.newEventUuid();
    await bookedWithMeeting(uuid, '85746065432');
    calendlyBooking(
      buildInviteeCreated({
        eventUuid: uuid,
        inviteeUuid: 'inv-2',
        seats: { active: 2, limit: 5 },
      }),
    );
    zoomToken();
    zoomApi()
      .get('/v2/meetings/85746065432')
      .reply(200, zoomMeeting('85746065432', { host_email: HOST }));

    const item = await tester()(createMeeting, bundle(uuid, 'inv-2'));

    expect(item).toMatchObject({ outcome: 'duplicate', meeting_id: '85746065432' });
    expect(Object.keys((await upstash.store().get(uuid))?.invitees ?? {})).toHaveLength(2);
  });

  it('makes no meeting for a booking Calendly already reports canceled', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(canceled(uuid));

    const item = await tester()(createMeeting, bundle(uuid));

    expect(item).toMatchObject({ outcome: 'tombstoned', meeting_id: null, topic: null });
    expect((await upstash.store().get(uuid))?.status).toBe('tombstoned');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('skips a booking that already has a Zoom link from Calendly itself', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid, { location: locations.nativeZoom() }));

    const item = await tester()(createMeeting, bundle(uuid));

    expect(item).toMatchObject({ outcome: 'skipped_native_zoom', meeting_id: null });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("applies the step's topic, default host and meeting settings", async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid, { hostEmail: 'someone@example.com' }));
    zoomToken();
    let sent: Record<string, unknown> = {};
    zoomApi()
      .post('/v2/users/someone%40example.com/meetings')
      .reply(404, { code: 1001, message: 'User does not exist: someone@example.com.' });
    zoomCreates('85746065432', 'fallback@example.com', (body) => (sent = body));
    zoomApi().get('/v2/users/fallback%40example.com').reply(200, {
      id: 'u-9',
      email: 'fallback@example.com',
      status: 'active',
      display_name: 'Fay Fallback',
    });

    const item = await tester()(
      createMeeting,
      bundle(uuid, 'inv-1', {
        default_host: 'fallback@example.com',
        topic_template: 'Call: {invitee} <{invitee_email}>',
        waiting_room: false,
        auto_recording: 'cloud',
      }),
    );

    expect(item).toMatchObject({
      outcome: 'created',
      host: 'fallback@example.com',
      host_name: 'Fay Fallback',
    });
    expect(sent).toMatchObject({
      topic: 'Call: Jane Doe <jane.doe@example.com>',
      settings: expect.objectContaining({ waiting_room: false, auto_recording: 'cloud' }),
    });
  });

  it.each([
    ['an event URI', `${CALENDLY}/scheduled_events/ev-1`],
    ['a cancellation page', 'https://calendly.com/cancellations/inv-1'],
  ])('names the field when the Invitee URI is %s (Halted)', async (_case, value) => {
    const error = await zapierErrorOf(
      tester()(createMeeting, {
        authData: connection(upstash.bridge),
        inputData: { invitee_uri: value },
      }),
    );

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain(
      'Calendly Invitee URI (invitee_uri) must be a Calendly invitee URI',
    );
  });

  it('says what to check when Calendly has no such invitee (404, Halted)', async () => {
    const uuid = upstash.newEventUuid();
    calendlyApi()
      .get(`/scheduled_events/${uuid}/invitees/inv-1`)
      .reply(404, { title: 'Resource Not Found', message: 'The server could not find it.' })
      .get(`/scheduled_events/${uuid}`)
      .reply(404, { title: 'Resource Not Found', message: 'The server could not find it.' });

    const error = await zapierErrorOf(tester()(createMeeting, bundle(uuid)));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Calendly has no such resource (HTTP 404)');
  });

  it('asks Zapier to retry shortly while another run holds the booking', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid));
    await upstash.store().claimCreate({
      eventUuid: uuid,
      eventUri: eventUri(uuid),
      inviteeUri: inviteeUri(uuid),
      owner: 'another-run',
      now: Date.now(),
      leaseMs: 60_000,
      startTime: '2026-03-10T14:00:00Z',
      durationMinutes: 30,
      reschedule: null,
      rescheduleMode: 'recreate',
    });

    const error = await zapierErrorOf(tester()(createMeeting, bundle(uuid)));

    expect(error.name).toBe('ThrottledError');
    expect(error.detail).toMatchObject({ delay: 30 });
  });
});

describe('cancel_meeting, mapping only the Invitee URI', () => {
  it("deletes the booking's meeting, reporting it as it was", async () => {
    const uuid = upstash.newEventUuid();
    await bookedWithMeeting(uuid, '85746065432');
    calendlyBooking(canceled(uuid));
    zoomToken();
    // As in Zoom, a meeting read after its DELETE is gone.
    let deleted = false;
    const zoom = zoomApi()
      .get('/v2/meetings/85746065432')
      .reply(() =>
        deleted
          ? [404, { code: 3001, message: 'Meeting does not exist: 85746065432.' }]
          : [200, zoomMeeting('85746065432', { host_email: HOST })],
      )
      .delete('/v2/meetings/85746065432')
      .query({ schedule_for_reminder: 'false', cancel_meeting_reminder: 'false' })
      .reply(() => {
        deleted = true;
        return [204];
      });

    const item = await tester()(cancelMeeting, bundle(uuid));

    expect(item).toMatchObject({
      outcome: 'cancelled',
      meeting_id: '85746065432',
      booking_status: 'cancelled',
      topic: '30 Minute Consultation with Jane Doe',
      start_time: '2026-03-10T14:00:00Z',
      duration_minutes: 30,
      host: HOST,
      host_name: 'Host 1',
    });
    expect(zoom.isDone()).toBe(true);
    expect((await upstash.store().get(uuid))?.status).toBe('cancelled');
  });

  it('counts a meeting already gone from Zoom (404, code 3001) as done', async () => {
    const uuid = upstash.newEventUuid();
    await bookedWithMeeting(uuid, '85746065432');
    calendlyBooking(canceled(uuid));
    zoomToken();
    const gone = { code: 3001, message: 'Meeting does not exist: 85746065432.' };
    zoomApi()
      .get('/v2/meetings/85746065432')
      .reply(404, gone)
      .delete('/v2/meetings/85746065432')
      .query(true)
      .reply(404, gone);

    const item = await tester()(cancelMeeting, bundle(uuid));

    expect(item).toMatchObject({
      outcome: 'already_gone',
      booking_status: 'cancelled',
      topic: null,
      start_time: '2026-03-10T14:00:00Z',
    });
  });

  it('refuses a booking Calendly says is still active, touching nothing (Halted)', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid));

    const error = await zapierErrorOf(tester()(cancelMeeting, bundle(uuid)));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('names a booking Calendly says is still active');
    expect(await upstash.store().get(uuid)).toBeNull();
  });

  it('leaves a tombstone when the cancellation runs first, so the late booking makes nothing', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(canceled(uuid));
    calendlyBooking(booked(uuid));
    const run = tester();

    const cancelled = await run(cancelMeeting, bundle(uuid));
    const late = await run(createMeeting, bundle(uuid));

    expect(cancelled).toMatchObject({ outcome: 'tombstoned' });
    expect(late).toMatchObject({ outcome: 'tombstoned', meeting_id: null });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('sync_booking, mapping only the Invitee URI', () => {
  it('makes the meeting for a booking Calendly reports active', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(booked(uuid));
    zoomToken();
    zoomCreates('85746065432');

    const item = await tester()(syncBooking, bundle(uuid));

    expect(item).toMatchObject({ outcome: 'created', meeting_id: '85746065432' });
  });

  it('removes the meeting of a booking Calendly reports canceled', async () => {
    const uuid = upstash.newEventUuid();
    await bookedWithMeeting(uuid, '85746065432');
    calendlyBooking(canceled(uuid));
    zoomToken();
    zoomApi()
      .get('/v2/meetings/85746065432')
      .reply(200, zoomMeeting('85746065432', { host_email: HOST }))
      .delete('/v2/meetings/85746065432')
      .query(true)
      .reply(204);

    const item = await tester()(syncBooking, bundle(uuid));

    expect(item).toMatchObject({ outcome: 'cancelled', booking_status: 'cancelled' });
  });
});

describe('a reschedule, each half mapping only its Invitee URI', () => {
  type Setup = 'two Zaps (Create + Cancel)' | 'one Zap (Sync)';
  type Mode = 'recreate' | 'move';
  type Order = 'new half first' | 'old half first';
  const cases: [Setup, Mode, Order][] = [];
  for (const setup of ['two Zaps (Create + Cancel)', 'one Zap (Sync)'] as const) {
    for (const mode of ['recreate', 'move'] as const) {
      for (const order of ['new half first', 'old half first'] as const) {
        cases.push([setup, mode, order]);
      }
    }
  }

  it.each(cases)('%s, %s mode, %s', async (setup, mode, order) => {
    const oldUuid = upstash.newEventUuid();
    const newUuid = upstash.newEventUuid();
    const settings = { reschedule_mode: mode };
    rescheduleInCalendly(oldUuid, newUuid);
    const makeOld = zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .reply(201, zoomMeeting('11111111111'));
    const run = tester();
    await run(createMeeting, bundle(oldUuid, OLD, settings));
    expect(makeOld.isDone()).toBe(true);

    const effects =
      mode === 'recreate'
        ? zoomApi()
            .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
            .reply(201, zoomMeeting('22222222222'))
            .delete('/v2/meetings/11111111111')
            .query(true)
            .reply(204)
        : zoomApi()
            .patch('/v2/meetings/11111111111', (body: Record<string, unknown>) => {
              return body.start_time === '2026-03-11T14:00:00Z' && body.duration === 30;
            })
            .reply(204);
    const newHalf = () =>
      run(setup === 'one Zap (Sync)' ? syncBooking : createMeeting, bundle(newUuid, NEW, settings));
    const oldHalf = () =>
      run(setup === 'one Zap (Sync)' ? syncBooking : cancelMeeting, bundle(oldUuid, OLD, settings));

    const [made, gone] =
      order === 'new half first'
        ? [await newHalf(), await oldHalf()]
        : await oldHalf().then(async (g) => [await newHalf(), g]);

    const meeting = mode === 'recreate' ? '22222222222' : '11111111111';
    expect(made).toMatchObject({
      outcome: mode === 'recreate' ? 'created' : 'moved',
      meeting_id: meeting,
      start_time: '2026-03-11T14:00:00Z',
    });
    // Moving the meeting to the new booking already retired the old one: its cancellation is a repeat.
    const moveCameFirst = mode === 'move' && order === 'new half first';
    expect(gone).toMatchObject({ outcome: moveCameFirst ? 'duplicate' : 'superseded' });
    expect(effects.isDone()).toBe(true);
    expect((await upstash.store().get(newUuid))?.meeting?.id).toBe(meeting);
    expect((await upstash.store().get(oldUuid))?.status).toBe('superseded');
  });
});

describe('two Zaps with different "On Reschedule" settings', () => {
  it.each([
    ['move', 'recreate'],
    ['recreate', 'move'],
  ] as const)(
    "cannot disagree: the mode the booking was made with (%s) wins over the other Zap's (%s)",
    async (madeWith, otherZap) => {
      const oldUuid = upstash.newEventUuid();
      const newUuid = upstash.newEventUuid();
      rescheduleInCalendly(oldUuid, newUuid);
      zoomApi()
        .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
        .reply(201, zoomMeeting('11111111111'));
      const run = tester();
      // Zap A books it; Zap B, set the other way, handles the old half; Zap A the new half.
      await run(createMeeting, bundle(oldUuid, OLD, { reschedule_mode: madeWith }));
      const effects =
        madeWith === 'move'
          ? zoomApi().patch('/v2/meetings/11111111111').reply(204)
          : zoomApi()
              .delete('/v2/meetings/11111111111')
              .query(true)
              .reply(204)
              .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
              .reply(201, zoomMeeting('22222222222'));

      await run(cancelMeeting, bundle(oldUuid, OLD, { reschedule_mode: otherZap }));
      const made = await run(createMeeting, bundle(newUuid, NEW, { reschedule_mode: madeWith }));

      expect(effects.isDone()).toBe(true);
      expect(made).toMatchObject({
        outcome: madeWith === 'move' ? 'moved' : 'created',
        meeting_id: madeWith === 'move' ? '11111111111' : '22222222222',
      });
      expect((await upstash.store().get(oldUuid))?.status).toBe('superseded');
      // Nothing is left waiting for a move that never comes.
      expect((await upstash.store().get(oldUuid))?.pendingMove).toBe(false);
    },
  );
});
