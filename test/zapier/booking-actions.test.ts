import nock from 'nock';
import {
  App,
  connection,
  eventUri,
  HOST,
  inviteeUri,
  tester,
  useBridge,
  useNock,
  zapierErrorOf,
  zoomApi,
  zoomMeeting,
  zoomToken,
  SECRET,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

const createMeeting = App.creates.create_meeting.operation.perform;
const cancelMeeting = App.creates.cancel_meeting.operation.perform;
const syncBooking = App.creates.sync_booking.operation.perform;

/** Flat fields as our Invitee Created trigger outputs them. */
function booking(eventUuid: string, overrides: Record<string, unknown> = {}) {
  return {
    event_uri: eventUri(eventUuid),
    invitee_uri: inviteeUri(eventUuid),
    start_time: '2026-03-10T14:00:00Z',
    end_time: '2026-03-10T14:30:00Z',
    event_name: '30 Minute Consultation',
    host_email: HOST,
    invitee_name: 'Jane Doe',
    invitee_email: 'jane.doe@example.com',
    ...overrides,
  };
}

function bundle(inputData: Record<string, unknown>) {
  return { authData: connection(upstash.bridge), inputData };
}

describe('create_meeting', () => {
  it('makes one Zoom meeting for the booking and records it', async () => {
    const uuid = upstash.newEventUuid();
    const token = zoomToken();
    let sent: Record<string, unknown> = {};
    const zoom = zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, zoomMeeting('85746065432'));

    const item = await tester()(createMeeting, bundle(booking(uuid)));

    expect(item).toMatchObject({
      outcome: 'created',
      meeting_id: '85746065432',
      join_url: 'https://us06web.zoom.us/j/85746065432?pwd=join',
      start_url: SECRET.startUrl,
      password: 'k7Pq2x',
      host: HOST,
      event_uuid: uuid,
      booking_status: 'active',
      start_time: '2026-03-10T14:00:00Z',
      duration_minutes: 30,
    });
    expect(sent).toMatchObject({
      topic: '30 Minute Consultation with Jane Doe',
      start_time: '2026-03-10T14:00:00Z',
      duration: 30,
      agenda: expect.stringContaining(`[Calendly booking ${eventUri(uuid)}]`),
    });
    expect((await upstash.store().get(uuid))?.meeting?.id).toBe('85746065432');
    expect(token.isDone() && zoom.isDone()).toBe(true);
  });

  it('is idempotent: a second run returns the stored meeting and never calls Zoom', async () => {
    const uuid = upstash.newEventUuid();
    zoomToken();
    const zoom = zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .once()
      .reply(201, zoomMeeting('85746065432'));
    const run = tester();

    const first = await run(createMeeting, bundle(booking(uuid)));
    const second = await run(createMeeting, bundle(booking(uuid)));

    expect(first).toMatchObject({ outcome: 'created', meeting_id: '85746065432' });
    expect(second).toMatchObject({
      outcome: 'duplicate',
      meeting_id: '85746065432',
      join_url: 'https://us06web.zoom.us/j/85746065432?pwd=join',
    });
    expect(zoom.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("accepts Calendly's own app's fields: an event UUID and a duration instead of an end time", async () => {
    const uuid = upstash.newEventUuid();
    zoomToken();
    let sent: Record<string, unknown> = {};
    zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, zoomMeeting());

    const item = await tester()(
      createMeeting,
      bundle(
        booking(uuid, {
          event_uri: uuid,
          end_time: '',
          duration_minutes: '45',
          start_time: '2026-03-10T09:00:00-05:00',
        }),
      ),
    );

    expect(item).toMatchObject({ outcome: 'created', event_uri: eventUri(uuid) });
    expect(sent).toMatchObject({ start_time: '2026-03-10T14:00:00Z', duration: 45 });
  });

  it('applies the topic template, default host and meeting settings of the step', async () => {
    const uuid = upstash.newEventUuid();
    zoomToken();
    let sent: Record<string, unknown> = {};
    zoomApi()
      .post('/v2/users/someone%40example.com/meetings')
      .reply(404, { code: 1001, message: 'User does not exist: someone@example.com.' })
      .post('/v2/users/fallback%40example.com/meetings', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, zoomMeeting());

    const item = await tester()(
      createMeeting,
      bundle(
        booking(uuid, {
          host_email: 'someone@example.com',
          default_host: 'fallback@example.com',
          topic_template: 'Call: {invitee} <{invitee_email}>',
          waiting_room: false,
          auto_recording: 'cloud',
        }),
      ),
    );

    expect(item).toMatchObject({ outcome: 'created', host: 'fallback@example.com' });
    expect(sent).toMatchObject({
      topic: 'Call: Jane Doe <jane.doe@example.com>',
      settings: expect.objectContaining({ waiting_room: false, auto_recording: 'cloud' }),
    });
  });

  it('skips a booking that already has a Zoom link from Calendly', async () => {
    const uuid = upstash.newEventUuid();
    const native = { location_type: 'zoom', location_join_url: 'https://us02web.zoom.us/j/1' };

    const skipped = await tester()(createMeeting, bundle(booking(uuid, native)));

    expect(skipped).toMatchObject({ outcome: 'skipped_native_zoom', meeting_id: null });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('makes its own meeting for such a booking when the step says so', async () => {
    const uuid = upstash.newEventUuid();
    zoomToken();
    zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .reply(201, zoomMeeting());
    const native = { location_type: 'zoom', location_join_url: 'https://us02web.zoom.us/j/1' };

    const item = await tester()(
      createMeeting,
      bundle(booking(uuid, { ...native, native_zoom: 'create' })),
    );

    expect(item).toMatchObject({ outcome: 'created' });
  });

  it('asks Zapier to retry shortly while another run holds the booking', async () => {
    const uuid = upstash.newEventUuid();
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

    const error = await zapierErrorOf(tester()(createMeeting, bundle(booking(uuid))));

    expect(error.name).toBe('ThrottledError');
    expect(error.detail).toMatchObject({ delay: 30 });
  });

  it.each([
    ['no start time', { start_time: '' }, 'Start Time (start_time) is required'],
    [
      'a start time without a zone',
      { start_time: '2026-03-10 14:00' },
      'Start Time (start_time) must be a date and time with a time zone',
    ],
    [
      'neither end nor duration',
      { end_time: '', duration_minutes: '' },
      'End Time (end_time) or Duration (minutes) is required',
    ],
    [
      'an end before the start',
      { end_time: '2026-03-10T13:00:00Z' },
      'End Time (end_time) must be after Start Time',
    ],
    ['no invitee', { invitee_uri: '' }, 'Invitee URI (invitee_uri) is required'],
    [
      'a malformed event',
      { event_uri: 'not a uri!' },
      'Calendly Event URI or UUID (event_uri) must be',
    ],
  ])('names the field that is wrong: %s', async (_case, overrides, expected) => {
    const uuid = upstash.newEventUuid();

    const error = await zapierErrorOf(tester()(createMeeting, bundle(booking(uuid, overrides))));

    expect(error.name).toBe('AppError');
    expect(error.detail).toMatchObject({ code: 'InvalidInput', status: 400 });
    expect(String(error.detail.message)).toContain(expected);
  });
});

describe('cancel_meeting', () => {
  async function bookedMeeting(uuid: string, meetingId: string): Promise<void> {
    zoomToken();
    zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .reply(201, zoomMeeting(meetingId));
    await tester()(createMeeting, bundle(booking(uuid)));
  }

  it("deletes the booking's meeting and records the cancellation", async () => {
    const uuid = upstash.newEventUuid();
    await bookedMeeting(uuid, '85746065432');
    zoomToken();
    const zoom = zoomApi()
      .delete('/v2/meetings/85746065432')
      .query({ schedule_for_reminder: 'false', cancel_meeting_reminder: 'false' })
      .reply(204);

    const item = await tester()(
      cancelMeeting,
      bundle({ event_uri: eventUri(uuid), invitee_uri: inviteeUri(uuid) }),
    );

    expect(item).toMatchObject({
      outcome: 'cancelled',
      meeting_id: '85746065432',
      booking_status: 'cancelled',
    });
    expect(zoom.isDone()).toBe(true);
    expect((await upstash.store().get(uuid))?.status).toBe('cancelled');
  });

  it('counts a meeting already gone from Zoom (404, code 3001) as done', async () => {
    const uuid = upstash.newEventUuid();
    await bookedMeeting(uuid, '85746065432');
    zoomToken();
    zoomApi()
      .delete('/v2/meetings/85746065432')
      .query(true)
      .reply(404, { code: 3001, message: 'Meeting does not exist: 85746065432.' });

    const item = await tester()(
      cancelMeeting,
      bundle({ event_uri: eventUri(uuid), invitee_uri: inviteeUri(uuid) }),
    );

    expect(item).toMatchObject({ outcome: 'already_gone', booking_status: 'cancelled' });
  });

  it('leaves a tombstone for a cancellation that arrives before its booking', async () => {
    const uuid = upstash.newEventUuid();

    const cancelled = await tester()(
      cancelMeeting,
      bundle({ event_uri: eventUri(uuid), invitee_uri: inviteeUri(uuid) }),
    );
    const late = await tester()(createMeeting, bundle(booking(uuid)));

    expect(cancelled).toMatchObject({ outcome: 'tombstoned' });
    expect(late).toMatchObject({ outcome: 'tombstoned', meeting_id: null });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('sync_booking', () => {
  it.each([
    ['invitee.created', 'created'],
    ['invitee.canceled', 'tombstoned'],
  ])('routes %s through the lifecycle', async (kind, outcome) => {
    const uuid = upstash.newEventUuid();
    if (kind === 'invitee.created') {
      zoomToken();
      zoomApi()
        .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
        .reply(201, zoomMeeting());
    }

    const item = await tester()(syncBooking, bundle(booking(uuid, { event_kind: kind })));

    expect(item).toMatchObject({ outcome, event_uuid: uuid });
  });

  it.each(['new half first', 'old half first'])(
    'handles a reschedule, %s: the old meeting is deleted and a new one made',
    async (order) => {
      const oldUuid = upstash.newEventUuid();
      const newUuid = upstash.newEventUuid();
      zoomToken();
      zoomApi()
        .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
        .reply(201, zoomMeeting('11111111111'))
        .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
        .reply(201, zoomMeeting('22222222222'))
        .delete('/v2/meetings/11111111111')
        .query(true)
        .reply(204);
      const run = tester();
      await run(syncBooking, bundle(booking(oldUuid, { event_kind: 'invitee.created' })));
      const createNew = () =>
        run(
          syncBooking,
          bundle(
            booking(newUuid, {
              event_kind: 'invitee.created',
              start_time: '2026-03-11T14:00:00Z',
              end_time: '2026-03-11T14:30:00Z',
              old_invitee_uri: inviteeUri(oldUuid),
            }),
          ),
        );
      const cancelOld = () =>
        run(
          syncBooking,
          bundle({
            event_kind: 'invitee.canceled',
            event_uri: eventUri(oldUuid),
            invitee_uri: inviteeUri(oldUuid),
            rescheduled: 'true',
            new_invitee_uri: inviteeUri(newUuid),
          }),
        );

      const [created, canceled] =
        order === 'new half first'
          ? [await createNew(), await cancelOld()]
          : await cancelOld().then(async (c) => [await createNew(), c]);

      expect(created).toMatchObject({ outcome: 'created', meeting_id: '22222222222' });
      expect(canceled).toMatchObject({ outcome: 'superseded', meeting_id: '11111111111' });
      expect((await upstash.store().get(oldUuid))?.status).toBe('superseded');
      expect(nock.pendingMocks()).toEqual([]);
    },
  );

  it('refuses an event kind it does not know, naming the field', async () => {
    const uuid = upstash.newEventUuid();

    const error = await zapierErrorOf(
      tester()(syncBooking, bundle(booking(uuid, { event_kind: 'invitee_no_show.created' }))),
    );

    expect(String(error.detail.message)).toContain(
      'Event Kind (event_kind) must be invitee.created or invitee.canceled',
    );
  });
});
