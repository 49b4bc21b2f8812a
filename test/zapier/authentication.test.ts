import {
  calendlyApi,
  calendlyMe,
  connection,
  HOST,
  ORGANIZATION,
  SECRET,
  tester,
  useBridge,
  useNock,
  zapierErrorOf,
  ZOOM_OAUTH,
  zoomToken,
} from './zapier-test-kit';
import nock from 'nock';
import { authentication } from '../../zapier/authentication';

useNock();
const upstash = useBridge();

// The same functions the app declares, so the tester finds them in it.
const { test: connectionTest, connectionLabel } = authentication;

function zoomRefuses(): void {
  nock(ZOOM_OAUTH)
    .post('/oauth/token')
    .query(true)
    .reply(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
}

describe('connection test', () => {
  it('checks Calendly, Zoom and Upstash and returns what the label needs', async () => {
    const calendly = calendlyMe();
    const zoom = zoomToken();

    const result = await tester()(connectionTest, { authData: connection(upstash.bridge) });

    expect(result).toEqual({
      calendly_user_name: 'Harriet Host',
      calendly_user_email: HOST,
      calendly_organization: ORGANIZATION,
      zoom_account_id: SECRET.zoomAccountId,
    });
    expect(calendly.isDone() && zoom.isDone()).toBe(true);
  });

  it('names Calendly when its token is refused', async () => {
    calendlyApi()
      .get('/users/me')
      .reply(401, { title: 'Unauthenticated', message: 'The access token is invalid' });
    zoomToken();

    const error = await zapierErrorOf(
      tester()(connectionTest, { authData: connection(upstash.bridge) }),
    );

    expect(error.detail.message).toBe(
      'Calendly: the Personal Access Token was refused. Generate a new one (Calendly → Integrations & Apps → API & Webhooks) and paste it again.',
    );
  });

  it('names Zoom when it refuses the app credentials', async () => {
    calendlyMe();
    zoomRefuses();

    const error = await zapierErrorOf(
      tester()(connectionTest, { authData: connection(upstash.bridge) }),
    );

    expect(error.detail.message).toMatch(/^Zoom: Zoom rejected the Client ID or Client Secret/);
    expect(String(error.detail.message)).not.toMatch(/Calendly:|Upstash:/);
  });

  it('names Upstash when the REST token is wrong', async () => {
    calendlyMe();
    zoomToken();
    const authData = { ...connection(upstash.bridge), upstash_token: 'not-the-token' };

    const error = await zapierErrorOf(tester()(connectionTest, { authData }));

    expect(error.detail.message).toMatch(
      /^Upstash: could not use the database with this REST URL and token/,
    );
    expect(String(error.detail.message)).not.toMatch(/Calendly:|Zoom:/);
  });

  it('names every service that is wrong at once', async () => {
    calendlyApi().get('/users/me').reply(401, {});
    zoomRefuses();
    const authData = { ...connection(upstash.bridge), upstash_token: 'not-the-token' };

    const error = await zapierErrorOf(tester()(connectionTest, { authData }));

    expect(
      String(error.detail.message)
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['Calendly', 'Zoom', 'Upstash']);
  });

  it('names an empty field by its label before calling anyone', async () => {
    const authData = { ...connection(upstash.bridge), zoom_client_secret: ' ' };

    const error = await zapierErrorOf(tester()(connectionTest, { authData }));

    expect(error.detail).toMatchObject({
      code: 'ConnectionTestFailed',
      message: 'Zoom Client Secret is empty: reconnect the account and fill it in.',
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.each([
    ['plain http to a remote host', 'http://your-db.upstash.io'],
    ['no scheme at all', 'your-db.upstash.io'],
  ])(
    'refuses an Upstash REST URL that is %s: the token would travel in clear',
    async (_case, url) => {
      const authData = { ...connection(upstash.bridge), upstash_url: url };

      const error = await zapierErrorOf(tester()(connectionTest, { authData }));

      expect(String(error.detail.message)).toBe(
        "Upstash Redis REST URL must be the database's REST URL starting with https:// (https://….upstash.io): the token is sent with every request.",
      );
      expect(String(error.detail.message)).not.toContain(url);
    },
  );
});

describe('connection label', () => {
  it('names the Calendly user and the Zoom account', async () => {
    const label = await tester()(connectionLabel, {
      inputData: {
        calendly_user_name: 'Harriet Host',
        calendly_user_email: HOST,
        zoom_account_id: 'zoom-account-7',
      },
    });

    expect(label).toBe('Harriet Host (host@example.com) · Zoom account zoom-account-7');
  });
});
