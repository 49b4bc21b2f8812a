import { ZoomApiError } from '../../../src/zoom/errors';
import { DEFAULT_MEETING_SETTINGS } from '../../../src/zoom/mapping';
import {
  api,
  fixture,
  HOST,
  issueTokens,
  rejectionOf,
  useNock,
  zoomHarness,
  type Exchange,
} from './zoom-test-kit';

useNock();

const created = fixture('create-meeting.response');
const fetched = fixture('get-meeting.response');
const notFound = fixture('meeting-not-found.404');
const MEETING_ID = '85746065432';
const params = {
  topic: 'Intro call: Jane Doe',
  startTime: '2026-12-03T15:00:00Z',
  durationMinutes: 30,
  agenda: 'Booked via Calendly [calendly:https://api.calendly.com/scheduled_events/ev-1]',
};

beforeEach(() => {
  issueTokens(1);
});

describe('createMeeting', () => {
  it('POSTs a scheduled meeting under the host with the guide defaults and UTC', async () => {
    let sent: unknown;
    const scope = api()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`, (body) => {
        sent = body;
        return true;
      })
      .reply(201, created.body as object);

    await zoomHarness().client.createMeeting(HOST, params);

    expect(sent).toEqual({
      topic: params.topic,
      type: 2,
      start_time: '2026-12-03T15:00:00Z',
      duration: 30,
      timezone: 'UTC',
      agenda: params.agenda,
      settings: {
        host_video: true,
        participant_video: true,
        join_before_host: false,
        waiting_room: true,
        mute_upon_entry: true,
        auto_recording: 'none',
      },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('layers settings: guide defaults, then the client defaults, then the call', async () => {
    let sent: { settings?: unknown } = {};
    api()
      .post(/\/meetings$/, (body) => {
        sent = body as typeof sent;
        return true;
      })
      .reply(201, created.body as object);

    const { client } = zoomHarness({
      defaultSettings: { auto_recording: 'cloud', participant_video: false },
    });
    await client.createMeeting(HOST, { ...params, settings: { auto_recording: 'local' } });

    expect(sent.settings).toEqual({
      ...DEFAULT_MEETING_SETTINGS,
      participant_video: false,
      auto_recording: 'local',
    });
  });

  it('sends the passcode, timezone and alternative hosts it is given', async () => {
    let sent: Record<string, unknown> = {};
    api()
      .post(/\/meetings$/, (body) => {
        sent = body as typeof sent;
        return true;
      })
      .reply(201, created.body as object);

    await zoomHarness().client.createMeeting(HOST, {
      ...params,
      password: 'k7Pq2x',
      timezone: 'America/New_York',
      settings: { alternative_hosts: 'a@example.com,b@example.com' },
    });

    expect(sent).toMatchObject({
      password: 'k7Pq2x',
      timezone: 'America/New_York',
      settings: { alternative_hosts: 'a@example.com,b@example.com' },
    });
  });

  it('sends start_time without milliseconds', async () => {
    let sent: Record<string, unknown> = {};
    api()
      .post(/\/meetings$/, (body) => {
        sent = body as typeof sent;
        return true;
      })
      .reply(201, created.body as object);

    await zoomHarness().client.createMeeting(HOST, {
      ...params,
      startTime: '2026-12-03T15:00:00.000Z',
    });

    expect(sent.start_time).toBe('2026-12-03T15:00:00Z');
  });

  it('returns the meeting with its id (above 2^32) as a string', async () => {
    api()
      .post(/\/meetings$/)
      .reply(201, created.body as object);

    const meeting = await zoomHarness().client.createMeeting(HOST, params);

    expect(Number(MEETING_ID)).toBeGreaterThan(2 ** 32);
    expect(meeting).toEqual({
      id: MEETING_ID,
      joinUrl: 'https://us05web.zoom.us/j/85746065432?pwd=Xt2lbJg9kFjPgJ0hWDRk8YhvKdaC6w.1',
      startUrl: expect.stringContaining('zak='),
      password: 'k7Pq2x',
      hostId: 'KDcuGIm1QgePTO8WbOqwIQ',
      hostEmail: 'host.person@example.com',
      timezone: 'America/New_York',
      topic: 'Intro call: Jane Doe',
      agenda: 'Booked via Calendly (invitee: jane.doe@example.org)',
      startTime: '2026-12-03T15:00:00Z',
      durationMinutes: 30,
    });
  });

  it('keeps an id beyond 2^53 digit for digit', async () => {
    const raw = JSON.stringify(created.body).replace(
      '"id":85746065432',
      '"id":12345678901234567890',
    );
    api()
      .post(/\/meetings$/)
      .reply(201, raw, { 'content-type': 'application/json' });

    const meeting = await zoomHarness().client.createMeeting(HOST, params);

    expect(meeting.id).toBe('12345678901234567890');
  });

  it('reports a 2xx body without a meeting id as a ZoomApiError', async () => {
    api()
      .post(/\/meetings$/)
      .reply(201, { join_url: 'https://zoom.example/j/1' });

    const error = await rejectionOf(zoomHarness().client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error.message).toMatch(/without the expected meeting id/);
  });
});

describe('getMeeting', () => {
  it('GETs the meeting and maps it', async () => {
    const scope = api()
      .get(`/v2/meetings/${MEETING_ID}`)
      .reply(200, fetched.body as object);

    const meeting = await zoomHarness().client.getMeeting(MEETING_ID);

    expect(meeting).toMatchObject({ id: MEETING_ID, password: 'k7Pq2x' });
    expect(scope.isDone()).toBe(true);
  });

  it('fails with ZoomApiError 404/3001 for a meeting that does not exist', async () => {
    api()
      .get(`/v2/meetings/${MEETING_ID}`)
      .reply(404, notFound.body as object);

    const error = await rejectionOf(zoomHarness().client.getMeeting(MEETING_ID));

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error).toMatchObject({ status: 404, code: 3001 });
    expect(error.message).toMatch(/85746065432 does not exist/);
  });
});

describe('updateMeeting', () => {
  it('PATCHes only the fields being changed and accepts 204', async () => {
    const { request } = fixture<Exchange & { request: { body: Record<string, string | number> } }>(
      'update-meeting',
    );
    const scope = api().patch(`/v2/meetings/${MEETING_ID}`, request.body).reply(204);

    await expect(
      zoomHarness().client.updateMeeting(MEETING_ID, {
        startTime: '2026-12-04T16:30:00Z',
        durationMinutes: 45,
        timezone: 'America/New_York',
        topic: 'Intro call: Jane Doe (rescheduled)',
      }),
    ).resolves.toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it('sends nothing for an empty patch', async () => {
    await expect(zoomHarness().client.updateMeeting(MEETING_ID, {})).resolves.toBeUndefined();
  });
});

describe('deleteMeeting', () => {
  const deletePath = `/v2/meetings/${MEETING_ID}`;
  const noReminders = { schedule_for_reminder: 'false', cancel_meeting_reminder: 'false' };

  it('answers deleted on 204, asking Zoom not to send its own e-mails', async () => {
    const scope = api().delete(deletePath).query(noReminders).reply(204);

    await expect(zoomHarness().client.deleteMeeting(MEETING_ID)).resolves.toEqual({
      status: 'deleted',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('answers already_gone on 404 code 3001 and logs it for audit', async () => {
    api()
      .delete(deletePath)
      .query(true)
      .reply(404, notFound.body as object);
    const { client, logs } = zoomHarness();

    await expect(client.deleteMeeting(MEETING_ID)).resolves.toEqual({ status: 'already_gone' });
    expect(logs).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/already gone/),
      fields: { meetingId: MEETING_ID, status: 404, code: 3001 },
    });
  });

  it.each([
    [
      'another wording of 3001',
      { code: 3001, message: 'Meeting 85746065432 is not found or has expired.' },
    ],
    ['a different code', { code: 1001, message: 'User does not exist.' }],
    ['no body at all', ''],
  ])('answers already_gone on a 404 with %s', async (_name, body) => {
    api().delete(deletePath).query(true).reply(404, body);

    await expect(zoomHarness().client.deleteMeeting(MEETING_ID)).resolves.toEqual({
      status: 'already_gone',
    });
  });

  it('fails with ZoomApiError on 400 (meeting in progress)', async () => {
    api().delete(deletePath).query(true).reply(400, {
      code: 3002,
      message: "Sorry, you cannot delete this meeting since it's in progress.",
    });

    const error = await rejectionOf(zoomHarness().client.deleteMeeting(MEETING_ID));

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error).toMatchObject({ status: 400, code: 3002 });
    expect(error.message).toMatch(/in progress/);
  });
});

describe('getUser and listUsers', () => {
  it('GETs a user by email and maps it', async () => {
    const user = fixture('get-user.response');
    api()
      .get(`/v2/users/${encodeURIComponent(HOST)}`)
      .reply(200, user.body as object);

    await expect(zoomHarness().client.getUser(HOST)).resolves.toEqual({
      id: 'KDcuGIm1QgePTO8WbOqwIQ',
      email: HOST,
      status: 'active',
      accountId: 'Wk9PTV9BQ0NPVU5UX0lE',
      displayName: 'Host Person',
    });
  });

  it('lists active users across pages, following next_page_token', async () => {
    const { body } = fixture<Exchange & { body: { users: object[] } }>('users-list.response');
    const [one, two] = body.users;
    const scope = api()
      .get('/v2/users')
      .query({ status: 'active', page_size: '300' })
      .reply(200, { ...body, users: [one], next_page_token: 'page-2' })
      .get('/v2/users')
      .query({ status: 'active', page_size: '300', next_page_token: 'page-2' })
      .reply(200, { ...body, users: [two], next_page_token: '' });

    const users = await zoomHarness().client.listUsers();

    expect(users.map((u) => u.email)).toEqual([HOST, 'second.host@example.com']);
    expect(scope.isDone()).toBe(true);
  });
});

describe('Zoom 4xx answers become ZoomApiError with an actionable sentence', () => {
  const cases = fixture<{ case: string; status: number; body: { code: number } }[]>('api-errors');
  const byCode = (code: number) => {
    const found = cases.find((c) => c.body.code === code);
    if (!found) throw new Error(`no api-errors case with code ${code}`);
    return found;
  };

  it.each([
    [1001, /Zoom user not found.*configure a default Zoom host/],
    [1010, /different Zoom account/],
    [300, /invalid start_time \(Invalid field\)/],
    [3002, /in progress/],
    [200, /paid Zoom plan/],
  ])('code %i', async (code, sentence) => {
    const { status, body } = byCode(code);
    api()
      .post(/\/meetings$/)
      .reply(status, body);

    const error = await rejectionOf(zoomHarness().client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error).toMatchObject({ status, code });
    expect(error.message).toMatch(sentence);
    expect(error.message).toContain(`[Zoom ${status}, code ${code}]`);
  });
});
