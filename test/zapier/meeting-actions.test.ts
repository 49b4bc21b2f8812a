import nock from 'nock';
import {
  App,
  connection,
  eventUri,
  HOST,
  inviteeUri,
  runtime,
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

const updateMeeting = App.creates.update_meeting.operation.perform;
const deleteMeeting = App.creates.delete_meeting.operation.perform;
const findMeeting = App.searches.find_meeting.operation.perform;
const findUser = App.searches.find_user.operation.perform;
const MEETING = '85746065432';

function bundle(inputData: Record<string, unknown>) {
  return { authData: connection(upstash.bridge), inputData };
}

/** Zoom answers for the meeting's host (the outputs carry the host's name). */
function zoomHost(times = 1) {
  return zoomApi().get('/v2/users/KDcuGIm1QgePTO8WbOqwIQ').times(times).reply(200, {
    id: 'KDcuGIm1QgePTO8WbOqwIQ',
    email: HOST,
    status: 'active',
    first_name: 'Harriet',
    last_name: 'Host',
  });
}

/** A booking whose meeting is recorded, as create_meeting leaves it. */
async function bookingWithMeeting(): Promise<string> {
  const uuid = upstash.newEventUuid();
  const store = upstash.store();
  const base = { eventUuid: uuid, owner: 'setup', now: Date.now() };
  await store.claimCreate({
    ...base,
    eventUri: eventUri(uuid),
    inviteeUri: inviteeUri(uuid),
    leaseMs: 60_000,
    startTime: '2026-03-10T14:00:00Z',
    durationMinutes: 30,
    reschedule: null,
    rescheduleMode: 'recreate',
  });
  await store.commitCreate({
    ...base,
    meeting: {
      id: MEETING,
      joinUrl: 'https://j',
      startUrl: SECRET.startUrl,
      password: 'p',
      host: HOST,
    },
  });
  return uuid;
}

describe('update_meeting', () => {
  it('moves a meeting named by its Zoom ID and returns it as Zoom now has it', async () => {
    zoomToken();
    let sent: Record<string, unknown> = {};
    const zoom = zoomApi()
      .patch(`/v2/meetings/${MEETING}`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(204)
      .get(`/v2/meetings/${MEETING}`)
      .reply(200, zoomMeeting(MEETING, { start_time: '2026-03-12T09:00:00Z', duration: 60 }));
    zoomHost();

    const item = await tester()(
      updateMeeting,
      bundle({
        meeting_id: '857 4606 5432',
        start_time: '2026-03-12T10:00:00+01:00',
        duration_minutes: '60',
      }),
    );

    expect(sent).toEqual({ start_time: '2026-03-12T09:00:00Z', duration: 60 });
    expect(item).toMatchObject({
      outcome: 'updated',
      meeting_id: MEETING,
      start_time: '2026-03-12T09:00:00Z',
      duration_minutes: 60,
    });
    expect(zoom.isDone()).toBe(true);
  });

  it('finds the meeting through its Calendly booking', async () => {
    const uuid = await bookingWithMeeting();
    zoomToken();
    zoomApi()
      .patch(`/v2/meetings/${MEETING}`, { topic: 'New topic' })
      .reply(204)
      .get(`/v2/meetings/${MEETING}`)
      .reply(200, zoomMeeting(MEETING, { topic: 'New topic' }));
    zoomHost();

    const item = await tester()(updateMeeting, bundle({ event_uri: uuid, topic: 'New topic' }));

    expect(item).toMatchObject({
      meeting_id: MEETING,
      topic: 'New topic',
      event_uuid: uuid,
      booking_status: 'active',
    });
  });

  it('says which fields are missing when there is nothing to change', async () => {
    const error = await zapierErrorOf(tester()(updateMeeting, bundle({ meeting_id: MEETING })));

    expect(error.message).toContain(
      'New Start Time (start_time) or New Duration or New Topic is required',
    );
  });

  it('says when a booking has no live meeting', async () => {
    const uuid = upstash.newEventUuid();

    const error = await zapierErrorOf(
      tester()(updateMeeting, bundle({ event_uri: uuid, topic: 'x' })),
    );

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain(`No live Zoom meeting is recorded for Calendly event ${uuid}`);
  });
});

describe('delete_meeting', () => {
  it('deletes a meeting by its Zoom ID', async () => {
    zoomToken();
    const zoom = zoomApi().delete(`/v2/meetings/${MEETING}`).query(true).reply(204);

    const item = await tester()(deleteMeeting, bundle({ meeting_id: MEETING }));

    expect(item).toMatchObject({ meeting_id: MEETING, result: 'deleted' });
    expect(zoom.isDone()).toBe(true);
  });

  it('counts a meeting already gone (404) as deleted', async () => {
    zoomToken();
    zoomApi()
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .reply(404, { code: 3001, message: `Meeting does not exist: ${MEETING}.` });

    const item = await tester()(deleteMeeting, bundle({ meeting_id: MEETING }));

    expect(item).toMatchObject({ result: 'already_gone' });
  });

  it('refuses an ID that is not a Zoom meeting ID', async () => {
    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: 'abc' })));

    expect(error.message).toContain(
      'Zoom Meeting ID (meeting_id) must be a numeric Zoom meeting ID',
    );
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('find_meeting', () => {
  it("finds a booking's meeting through the store, then reads it from Zoom", async () => {
    const uuid = await bookingWithMeeting();
    zoomToken();
    zoomApi()
      .get(`/v2/meetings/${MEETING}`)
      .reply(200, zoomMeeting(MEETING, { host_email: HOST, timezone: 'Europe/Paris' }));
    zoomHost();

    const items = await tester()(findMeeting, bundle({ event_uri: eventUri(uuid) }));

    expect(items).toEqual([
      expect.objectContaining({
        outcome: 'found',
        meeting_id: MEETING,
        event_uuid: uuid,
        event_uri: eventUri(uuid),
        host: HOST,
        host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
        host_name: 'Harriet Host',
        topic: '30 Minute Consultation with Jane Doe',
        start_time: '2026-03-10T14:00:00Z',
        duration_minutes: 30,
        timezone: 'Europe/Paris',
        booking_status: 'active',
      }),
    ]);
  });

  it('finds a meeting by Zoom ID, and its booking from the agenda marker', async () => {
    const uri = eventUri('ev-77');
    zoomToken();
    zoomApi()
      .get(`/v2/meetings/${MEETING}`)
      .reply(
        200,
        zoomMeeting(MEETING, {
          host_email: HOST,
          agenda: `[Calendly booking ${uri}]\nInvitee: Jane`,
        }),
      );
    zoomHost();

    const items = await tester()(findMeeting, bundle({ meeting_id: MEETING }));

    expect(items).toEqual([
      expect.objectContaining({
        meeting_id: MEETING,
        event_uri: uri,
        event_uuid: 'ev-77',
        // The host's email, as in every output; the Zoom user id has a field of its own.
        host: HOST,
        host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
      }),
    ]);
  });

  it.each([
    ['a booking the store does not know', async () => ({ event_uri: upstash.newEventUuid() })],
    [
      'a meeting deleted in Zoom',
      async () => {
        zoomToken();
        zoomApi()
          .get(`/v2/meetings/${MEETING}`)
          .reply(404, { code: 3001, message: 'Meeting does not exist.' });
        return { meeting_id: MEETING };
      },
    ],
  ])('finds nothing for %s', async (_case, setUp) => {
    const items = await tester()(findMeeting, bundle(await setUp()));

    expect(items).toEqual([]);
  });
});

describe('find_user', () => {
  it('finds a Zoom user by email', async () => {
    zoomToken();
    zoomApi()
      .get(`/v2/users/${encodeURIComponent(HOST)}`)
      .reply(200, {
        id: 'u-1',
        email: HOST,
        status: 'active',
        account_id: 'acc-1',
        display_name: 'Harriet Host',
      });

    const items = await tester()(findUser, bundle({ email: HOST }));

    expect(items).toEqual([
      { id: 'u-1', email: HOST, name: 'Harriet Host', status: 'active', account_id: 'acc-1' },
    ]);
  });

  it('finds nothing for an email that is not a user of the account (404, code 1001)', async () => {
    zoomToken();
    zoomApi()
      .get('/v2/users/nobody%40example.com')
      .reply(404, { code: 1001, message: 'User does not exist: nobody@example.com.' });

    const items = await tester()(findUser, bundle({ email: 'nobody@example.com' }));

    expect(items).toEqual([]);
  });
});

describe('zoom_user_list (hidden: the host dropdowns)', () => {
  it("lists a page of the account's active users, by name", async () => {
    zoomToken();
    zoomApi()
      .get('/v2/users')
      .query({ status: 'active', page_size: '100' })
      .reply(200, {
        next_page_token: '',
        users: [
          { id: 'u-1', email: HOST, status: 'active', display_name: 'Harriet Host' },
          { id: 'u-2', email: 'other@example.com', status: 'active' },
        ],
      });

    const items = await runtime().run('triggers.zoom_user_list.operation.perform', bundle({}));

    expect(items).toEqual([
      { id: 'u-1', email: HOST, name: `Harriet Host (${HOST})`, status: 'active' },
      { id: 'u-2', email: 'other@example.com', name: 'other@example.com', status: 'active' },
    ]);
  });
});

describe('zoom_meeting_list (hidden: the meeting ID dropdowns)', () => {
  it("lists a page of the chosen host's upcoming meetings", async () => {
    zoomToken();
    zoomApi()
      .get(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .query({ type: 'upcoming', page_size: '100' })
      .reply(200, {
        next_page_token: '',
        meetings: [zoomMeeting(MEETING, { start_url: undefined, password: undefined })],
      });

    const items = await runtime().run(
      'triggers.zoom_meeting_list.operation.perform',
      bundle({ meeting_host: HOST }),
    );

    expect(items).toEqual([
      {
        id: MEETING,
        topic: '30 Minute Consultation with Jane Doe',
        start_time: '2026-03-10T14:00:00Z',
        label: `30 Minute Consultation with Jane Doe · 2026-03-10T14:00:00Z · ${MEETING}`,
      },
    ]);
  });

  it('asks for a host first, naming the field', async () => {
    const error = await runtime()
      .run('triggers.zoom_meeting_list.operation.perform', bundle({}))
      .catch((e: unknown) => e);

    expect(String((error as Error).message)).toContain(
      'Zoom Host (to list meetings) (meeting_host) is needed',
    );
  });

  it.each([
    ['Update Meeting', App.creates.update_meeting.operation.inputFields],
    ['Delete Meeting', App.creates.delete_meeting.operation.inputFields],
    ['Find Meeting', App.searches.find_meeting.operation.inputFields],
  ])(
    '%s offers its Zoom Meeting ID from that dropdown, fed by the host picked above it',
    (_step, fields) => {
      const keys = (fields as { key: string; dynamic?: string }[]).map((f) => [f.key, f.dynamic]);

      expect(keys).toContainEqual(['meeting_id', 'zoom_meeting_list.id.label']);
      expect(keys).toContainEqual(['meeting_host', 'zoom_user_list.email.name']);
    },
  );
});

describe('the Zoom token', () => {
  it('is fetched once and reused from z.cache by the steps that follow', async () => {
    const token = zoomToken(1);
    zoomApi().delete(`/v2/meetings/${MEETING}`).query(true).twice().reply(204);
    const run = tester();

    await run(deleteMeeting, bundle({ meeting_id: MEETING }));
    await run(deleteMeeting, bundle({ meeting_id: MEETING }));

    expect(token.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('is fetched again, once, when Zoom says the cached one expired (401, code 124)', async () => {
    zoomToken(2);
    zoomApi()
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .reply(204)
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .reply(401, { code: 124, message: 'Invalid access token.' })
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .reply(204);
    const run = tester();

    await run(deleteMeeting, bundle({ meeting_id: MEETING }));
    const item = await run(deleteMeeting, bundle({ meeting_id: MEETING }));

    expect(item).toMatchObject({ result: 'deleted' });
    expect(nock.pendingMocks()).toEqual([]);
  });
});
