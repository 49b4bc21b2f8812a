import { buildInviteeCreated } from '../support/calendly-payloads';
import {
  calendlyBooking,
  calendlyMe,
  connection,
  HOST,
  inviteeUri,
  rawRequest,
  runtime,
  SECRET,
  useBridge,
  useNock,
  zoomApi,
  zoomMeeting,
  zoomToken,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

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
    calendlyBooking(buildInviteeCreated({ eventUuid: uuid, inviteeUuid: 'inv-1' }));
    zoomToken();
    zoomApi()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .reply(201, zoomMeeting('85746065432'))
      .get('/v2/meetings/85746065432')
      .twice()
      .reply(200, zoomMeeting('85746065432', { host_email: HOST }))
      .get('/v2/users/KDcuGIm1QgePTO8WbOqwIQ')
      .reply(200, { id: 'KDcuGIm1QgePTO8WbOqwIQ', email: HOST, status: 'active' });

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
    const forged = await run('triggers.invitee_created.operation.perform', {
      authData,
      subscribeData,
      rawRequest: rawRequest(
        buildInviteeCreated({ eventUuid: uuid }),
        'forged-key-0123456789abcdef0123456789',
      ),
    }).catch((error: unknown) => error);
    const created = (await run('creates.create_meeting.operation.perform', {
      authData,
      inputData: { invitee_uri: inviteeUri(uuid) },
    })) as { start_url: string };
    await run('searches.find_meeting.operation.perform', {
      authData,
      inputData: { event_uri: uuid },
    });

    expect(forged).toMatchObject({ name: 'HaltedError' });
    // Zapier shows a failed run's message: it must not carry the bundle (key, booking) either.
    expect((forged as Error).message).not.toContain(subscribeData.signing_secret);
    expect((forged as Error).message).not.toContain('jane.doe@example.com');
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
        expect.stringMatching(/^\d+ POST https:\/\/api\.zoom\.us/),
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
