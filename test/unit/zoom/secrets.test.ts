import { inspect } from 'node:util';
import {
  ACCESS_TOKEN,
  api,
  CREDENTIALS,
  fixture,
  HOST,
  issueTokens,
  tokenEndpoint,
  useNock,
  zoomHarness,
} from './zoom-test-kit';

useNock();

const created = fixture('create-meeting.response');
const START_URL = (created.body as { start_url: string }).start_url;
const MARKER = '[calendly:ev-1]';
const params = {
  topic: 'Intro',
  startTime: '2026-12-03T15:00:00Z',
  durationMinutes: 30,
  agenda: MARKER,
};
const BASIC = Buffer.from(`${CREDENTIALS.clientId}:${CREDENTIALS.clientSecret}`).toString('base64');
const SECRETS = [CREDENTIALS.clientSecret, ACCESS_TOKEN, BASIC, START_URL, 'zak='];

type Scenario = [
  name: string,
  arrange: () => void,
  act: (h: ReturnType<typeof zoomHarness>) => Promise<unknown>,
  /** How many errors the scenario produces, so none passes by producing nothing to check. */
  errors: number,
];

const scenarios: Scenario[] = [
  [
    'create, get and find succeed',
    () => {
      issueTokens(1);
      api()
        .post(/\/meetings$/)
        .reply(201, created.body as object)
        .get('/v2/meetings/85746065432')
        .times(2)
        .reply(200, { ...(created.body as object), agenda: MARKER })
        .get(/\/users\/.*\/meetings/)
        .query(true)
        .reply(200, { next_page_token: '', meetings: [{ id: 85746065432, agenda: MARKER }] });
    },
    async ({ client }) => {
      await client.createMeeting(HOST, params);
      await client.getMeeting('85746065432');
      await client.findMeetingByMarker(HOST, MARKER);
    },
    0,
  ],
  [
    'a 2xx body that is not JSON but holds a start_url',
    () => {
      issueTokens(1);
      api()
        .post(/\/meetings$/)
        .reply(201, `{"start_url":"${START_URL}", oops`);
    },
    ({ client }) => client.createMeeting(HOST, params),
    1,
  ],
  [
    'an error message from Zoom that quotes a start_url',
    () => {
      issueTokens(1);
      api()
        .post(/\/meetings$/)
        .reply(400, { code: 3000, message: `Cannot use ${START_URL}` });
    },
    ({ client }) => client.createMeeting(HOST, params),
    1,
  ],
  [
    'two 401s in a row',
    () => {
      issueTokens(2);
      api()
        .get(/\/meetings\//)
        .times(2)
        .reply(401, fixture('access-token-invalid.401').body as object);
    },
    ({ client }) => client.getMeeting('85746065432'),
    1,
  ],
  [
    'token endpoint rejects the credentials',
    () => {
      tokenEndpoint().reply(400, {
        reason: 'Invalid client_id or client_secret',
        error: 'invalid_client',
      });
    },
    ({ client }) => client.getMeeting('85746065432'),
    1,
  ],
  [
    'daily and per-second 429s',
    () => {
      const perSecond = fixture('rate-limit.429.per-second');
      const daily = fixture('rate-limit.429.meeting-user-daily');
      issueTokens(1);
      api()
        .post(/\/meetings$/)
        .reply(429, daily.body as object, daily.headers)
        .get(/\/meetings\//)
        .times(20)
        .reply(429, perSecond.body as object, perSecond.headers);
    },
    async ({ client }) => {
      await client.createMeeting(HOST, params).catch((e: unknown) => record(e));
      await client.getMeeting('85746065432');
    },
    2,
  ],
  [
    '5xx until the deadline, then a network error on create',
    () => {
      issueTokens(1);
      api()
        .delete(/\/meetings\//)
        .query(true)
        .times(20)
        .reply(500, { code: 500, message: 'Internal error' })
        .post(/\/meetings$/)
        .replyWithError('socket hang up');
    },
    async ({ client }) => {
      await client.deleteMeeting('85746065432').catch((e: unknown) => record(e));
      await client.createMeeting(HOST, params);
    },
    2,
  ],
];

let recorded: unknown[] = [];
function record(error: unknown): void {
  recorded.push(error);
}

describe('no secret, token or start_url ever reaches a log line or an error', () => {
  beforeEach(() => {
    recorded = [];
  });

  it.each(scenarios)('%s', async (_name, arrange, act, errors) => {
    arrange();
    const harness = zoomHarness();

    await act(harness).catch(record);

    expect(recorded).toHaveLength(errors);
    // Everything anyone could print: log lines, and each error with its whole cause chain.
    const printed = [
      JSON.stringify(harness.logs),
      ...recorded.map((e) => inspect(e, { depth: Infinity })),
    ].join('\n');
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });

  it('the check would notice a leak (the start_url really is in the success body)', () => {
    expect(JSON.stringify(created.body)).toContain(START_URL);
    expect(START_URL).toContain('zak=');
  });
});
