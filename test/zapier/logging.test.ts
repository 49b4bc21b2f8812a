import * as core from 'zapier-platform-core';
import { buildInviteeCreated } from '../support/calendly-payloads';
import {
  App,
  calendlyMe,
  connection,
  eventUri,
  HOST,
  inviteeUri,
  rawRequest,
  SECRET,
  useBridge,
  useNock,
  zoomApi,
  zoomMeeting,
  zoomToken,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

type Logged = { message: string; data: Record<string, unknown> };
type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;
// createAppHandler is what Zapier runs; core exports it but its types do not declare it.
const { createAppHandler } = core as unknown as { createAppHandler: (app: object) => Handler };

/** Runs steps the way Zapier's runtime does, keeping every log line it would ship. */
function runtime() {
  const handler = createAppHandler(App);
  const logged: Logged[] = [];
  const zcacheTestObj = {};
  const run = async (method: string, bundle: Record<string, unknown>): Promise<unknown> => {
    const { results } = await handler({
      command: 'execute',
      method,
      bundle,
      zcacheTestObj,
      customLogger: (message: string, data: Record<string, unknown>) =>
        logged.push({ message, data }),
    });
    return results;
  };
  return { run, logged };
}

describe('logs', () => {
  it('never carry a credential, an access token, a signing key or a start URL', async () => {
    const { run, logged } = runtime();
    const authData = connection(upstash.bridge);
    const uuid = upstash.newEventUuid();
    const targetUrl = 'https://hooks.zapier.com/hooks/standard/1/abc/';
    calendlyMe(calendlyMe())
      .post('/webhook_subscriptions')
      .reply(201, {
        resource: {
          uri: 'https://api.calendly.com/webhook_subscriptions/sub-1',
          callback_url: targetUrl,
        },
      });
    zoomToken();
    zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .reply(201, zoomMeeting('85746065432'))
      .get('/v2/meetings/85746065432')
      .reply(200, zoomMeeting('85746065432'));

    await run('authentication.test', { authData });
    const subscribeData = (await run('triggers.invitee_created.operation.performSubscribe', {
      authData,
      targetUrl,
      inputData: {},
    })) as { signing_secret: string };
    await run('triggers.invitee_created.operation.perform', {
      authData,
      subscribeData,
      rawRequest: rawRequest(
        buildInviteeCreated({ eventUuid: uuid }),
        subscribeData.signing_secret,
      ),
    });
    await run('triggers.invitee_created.operation.perform', {
      authData,
      subscribeData,
      rawRequest: rawRequest(
        buildInviteeCreated({ eventUuid: uuid }),
        'forged-key-0123456789abcdef0123456789',
      ),
    });
    const created = (await run('creates.create_meeting.operation.perform', {
      authData,
      inputData: {
        event_uri: eventUri(uuid),
        invitee_uri: inviteeUri(uuid),
        start_time: '2026-03-10T14:00:00Z',
        duration_minutes: 30,
        host_email: HOST,
      },
    })) as { start_url: string };
    await run('searches.find_meeting.operation.perform', {
      authData,
      inputData: { event_uri: uuid },
    });

    // The step's output carries the start URL (later steps need it); the logs must not.
    expect(created.start_url).toBe(SECRET.startUrl);
    const printed = (['log', 'warn', 'error'] as const).flatMap((level) =>
      jest.mocked(console[level]).mock.calls.map((args) => args.map(String).join(' ')),
    );
    const everything = JSON.stringify({ logged, printed });
    expect(logged.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^200 GET https:\/\/api\.calendly\.com\/users\/me/),
        expect.stringMatching(/^201 POST https:\/\/api\.zoom\.us\/v2\/users\/.+\/meetings/),
        expect.stringContaining('Calendly delivery rejected'),
        expect.stringContaining('booking handled'),
      ]),
    );
    for (const secret of [
      SECRET.calendlyToken,
      SECRET.zoomClientSecret,
      SECRET.zoomAccessToken,
      authData.upstash_token,
      subscribeData.signing_secret,
      SECRET.startUrl,
      'ZAK-HOST-SECRET',
      Buffer.from(`${SECRET.zoomClientId}:${SECRET.zoomClientSecret}`).toString('base64'),
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
