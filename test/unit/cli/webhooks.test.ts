import subscriptionResponse from '../../fixtures/calendly/webhook-subscription.create.response.json';
import subscriptionErrors from '../../fixtures/calendly/webhook-subscription.errors.json';
import {
  CALENDLY_TOKEN,
  ORG,
  USER,
  calendly,
  runCli,
  subscription,
  subscriptionListings,
  useNetworkGuard,
  usersMe,
} from './cli-test-kit';

useNetworkGuard();

const ENV = { CALENDLY_TOKEN };
const URL = 'https://app.example.com/webhooks/calendly';

describe('webhooks subscribe', () => {
  it('creates an organisation subscription with a generated key and prints the key exactly once', async () => {
    let sentKey = '';
    const me = usersMe();
    const create = calendly()
      .post('/webhook_subscriptions', (body: Record<string, unknown>) => {
        sentKey = String(body['signing_key']);
        return (
          body['url'] === URL &&
          body['organization'] === ORG &&
          body['scope'] === 'organization' &&
          !('user' in body) &&
          JSON.stringify(body['events']) === '["invitee.created","invitee.canceled"]'
        );
      })
      .reply(201, { resource: { ...subscriptionResponse.resource, scope: 'organization' } });

    const run = await runCli(['webhooks', 'subscribe', '--url', URL], { env: ENV });

    expect(run.code).toBe(0);
    expect(sentKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(run.stdout.split(sentKey)).toHaveLength(2);
    expect(run.stdout).toMatch(/CALENDLY_SIGNING_KEY/);
    expect(run.stdout).toMatch(/blueprint --signing-key/);
    expect(run.stderr).toBe('');
    expect(me.isDone() && create.isDone()).toBe(true);
  });

  it('generates a different key each time', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      usersMe();
      calendly()
        .post('/webhook_subscriptions', (body: Record<string, unknown>) => {
          keys.push(String(body['signing_key']));
          return true;
        })
        .reply(201, subscriptionResponse);
      await runCli(['webhooks', 'subscribe', '--url', URL], { env: ENV });
    }

    expect(keys[0]).not.toBe(keys[1]);
  });

  it('subscribes for the token user only with --scope user', async () => {
    usersMe();
    const create = calendly()
      .post(
        '/webhook_subscriptions',
        (body: Record<string, unknown>) => body['scope'] === 'user' && body['user'] === USER,
      )
      .reply(201, subscriptionResponse);

    const run = await runCli(['webhooks', 'subscribe', '--url', URL, '--scope', 'user'], {
      env: ENV,
    });

    expect(run.code).toBe(0);
    expect(create.isDone()).toBe(true);
  });

  it('uses a given signing key and never prints it', async () => {
    usersMe();
    const create = calendly()
      .post(
        '/webhook_subscriptions',
        (body: Record<string, unknown>) => body['signing_key'] === 'my-own-key-1234567890',
      )
      .reply(201, subscriptionResponse);

    const run = await runCli(
      ['webhooks', 'subscribe', '--url', URL, '--signing-key', 'my-own-key-1234567890'],
      { env: ENV },
    );

    expect(run.code).toBe(0);
    expect(create.isDone()).toBe(true);
    expect(run.stdout + run.stderr).not.toContain('my-own-key-1234567890');
  });

  it('subscribes only to the events given with --events', async () => {
    usersMe();
    const create = calendly()
      .post(
        '/webhook_subscriptions',
        (body: Record<string, unknown>) =>
          JSON.stringify(body['events']) === '["invitee.canceled"]',
      )
      .reply(201, subscriptionResponse);

    await runCli(['webhooks', 'subscribe', '--url', URL, '--events', 'invitee.canceled'], {
      env: ENV,
    });

    expect(create.isDone()).toBe(true);
  });

  it('--json prints the subscription and the generated key', async () => {
    usersMe();
    calendly().post('/webhook_subscriptions').reply(201, subscriptionResponse);

    const run = await runCli(['webhooks', 'subscribe', '--url', URL, '--json'], { env: ENV });

    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(json).toEqual({
      subscription: expect.objectContaining({
        uuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        callbackUrl: URL,
        state: 'active',
      }),
      signingKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      signingKeyGenerated: true,
    });
  });

  it('turns 409 into "it already exists, here is what to do"', async () => {
    usersMe();
    calendly().post('/webhook_subscriptions').reply(409, subscriptionErrors['409_already_exists']);

    const run = await runCli(['webhooks', 'subscribe', '--url', URL], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already exists in Calendly.*webhooks list/);
    expect(run.stdout).toBe('');
  });

  it('turns 403 for an organisation subscription into "use --scope user or ask an admin"', async () => {
    usersMe();
    calendly().post('/webhook_subscriptions').reply(403, subscriptionErrors['403_not_admin']);

    const run = await runCli(['webhooks', 'subscribe', '--url', URL], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/owner or admin; use --scope user/);
  });

  it('accepts http on loopback with a warning, for tests against a local fake', async () => {
    usersMe();
    calendly().post('/webhook_subscriptions').reply(201, subscriptionResponse);

    const run = await runCli(
      ['webhooks', 'subscribe', '--url', 'http://127.0.0.1:3000/webhooks/calendly'],
      { env: ENV },
    );

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: .*only reachable from this machine/);
  });

  it.each([
    [['--url', 'http://app.example.com/hook'], /must be an https URL/],
    [['--url', 'not a url'], /is not a URL/],
    [[], /needs --url/],
    [['--url', URL, '--scope', 'group'], /--scope must be one of organization, user/],
    [['--url', URL, '--events', 'invitee.created,routing_form_submission.created'], /--events/],
    [['--url', URL, '--colour'], /Unknown option/],
  ])('%j is a usage error (exit 2, with the help)', async (args, message) => {
    const run = await runCli(['webhooks', 'subscribe', ...args], { env: ENV });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Usage:/);
  });

  it('without CALENDLY_TOKEN says so and exits 1', async () => {
    const run = await runCli(['webhooks', 'subscribe', '--url', URL], { env: {} });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^CALENDLY_TOKEN is not set/);
  });
});

describe('webhooks list', () => {
  it('shows every subscription in a table', async () => {
    usersMe();
    const listings = subscriptionListings(
      [subscription('org-sub', { scope: 'organization', url: 'https://org.example.com/hook' })],
      [subscription('user-sub')],
    );

    const run = await runCli(['webhooks', 'list'], { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^UUID\s+URL\s+EVENTS\s+SCOPE\s+STATE$/);
    expect(run.stdout).toMatch(
      /org-sub\s+https:\/\/org\.example\.com\/hook\s+invitee\.created,invitee\.canceled\s+organization\s+active/,
    );
    expect(run.stdout).toMatch(
      /user-sub\s+https:\/\/app\.example\.com\/webhooks\/calendly\s+\S+\s+user\s+active/,
    );
    expect(listings.isDone()).toBe(true);
  });

  it('warns about a disabled subscription and says how to fix it', async () => {
    usersMe();
    subscriptionListings([], [subscription('dead-sub', { state: 'disabled' })]);

    const run = await runCli(['webhooks', 'list'], { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/dead-sub.*disabled/);
    expect(run.stderr).toMatch(
      /warning: Subscription dead-sub .* is disabled: .*webhooks unsubscribe dead-sub.*webhooks subscribe --url https:\/\/app\.example\.com\/webhooks\/calendly/,
    );
  });

  it('warns about a subscription Calendly is retrying, before it gets disabled', async () => {
    usersMe();
    subscriptionListings(
      [],
      [subscription('failing', { retry_started_at: '2026-11-26T08:00:00Z' })],
    );

    const run = await runCli(['webhooks', 'list'], { env: ENV });

    expect(run.stderr).toMatch(/failing since 2026-11-26T08:00:00Z.*disables it 24 h after/);
  });

  it('lists user-scope subscriptions when the token may not see organisation ones', async () => {
    usersMe();
    subscriptionListings({ status: 403, body: subscriptionErrors['403_not_admin'] }, [
      subscription('user-sub'),
    ]);

    const run = await runCli(['webhooks', 'list'], { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/user-sub/);
    expect(run.stderr).toMatch(/warning: Organisation-scope subscriptions are hidden/);
  });

  it('--json prints the subscriptions and warnings', async () => {
    usersMe();
    subscriptionListings([], [subscription('dead-sub', { state: 'disabled' })]);

    const run = await runCli(['webhooks', 'list', '--json'], { env: ENV });

    expect(JSON.parse(run.stdout)).toEqual({
      subscriptions: [
        {
          uri: 'https://api.calendly.com/webhook_subscriptions/dead-sub',
          uuid: 'dead-sub',
          callbackUrl: URL,
          state: 'disabled',
          events: ['invitee.created', 'invitee.canceled'],
          scope: 'user',
          organization: ORG,
          user: USER,
          createdAt: '2026-03-01T10:00:00.123456Z',
          retryStartedAt: null,
        },
      ],
      warnings: [expect.stringMatching(/dead-sub .* is disabled/)],
    });
    expect(run.stderr).toBe('');
  });

  it('says how to subscribe when there are none', async () => {
    usersMe();
    subscriptionListings([], []);

    const run = await runCli(['webhooks', 'list'], { env: ENV });

    expect(run.stdout).toMatch(/No webhook subscriptions.*webhooks subscribe --url/);
  });

  it('lists one scope only with --scope', async () => {
    usersMe();
    const user = calendly()
      .get('/webhook_subscriptions')
      .query({ organization: ORG, scope: 'user', user: USER, count: '100' })
      .reply(200, { collection: [], pagination: { next_page: null } });

    await runCli(['webhooks', 'list', '--scope', 'user'], { env: ENV });

    expect(user.isDone()).toBe(true);
  });
});

describe('webhooks unsubscribe', () => {
  it('deletes a subscription by UUID', async () => {
    const scope = calendly().delete('/webhook_subscriptions/user-sub').reply(204);

    const run = await runCli(['webhooks', 'unsubscribe', 'user-sub'], { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Webhook subscription user-sub deleted.\n');
    expect(scope.isDone()).toBe(true);
  });

  it('finds the subscriptions for a URL among the listed ones and deletes them', async () => {
    usersMe();
    subscriptionListings(
      [subscription('org-sub', { scope: 'organization', url: `${URL}/` })],
      [subscription('user-sub'), subscription('other', { url: 'https://other.example.com/h' })],
    );
    const deletes = calendly()
      .delete('/webhook_subscriptions/org-sub')
      .reply(204)
      .delete('/webhook_subscriptions/user-sub')
      .reply(204);

    const run = await runCli(['webhooks', 'unsubscribe', URL, '--json'], { env: ENV });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      unsubscribed: [
        { uuid: 'org-sub', url: `${URL}/`, result: 'deleted' },
        { uuid: 'user-sub', url: URL, result: 'deleted' },
      ],
    });
    expect(deletes.isDone()).toBe(true);
  });

  it('fails when no subscription delivers to the URL', async () => {
    usersMe();
    subscriptionListings([], [subscription('other', { url: 'https://other.example.com/h' })]);

    const run = await runCli(['webhooks', 'unsubscribe', URL], { env: ENV });

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No webhook subscription delivers to .*webhooks list/);
  });

  it('counts a subscription that is already gone as done', async () => {
    calendly().delete('/webhook_subscriptions/gone').reply(404, {});

    const run = await runCli(['webhooks', 'unsubscribe', 'gone'], { env: ENV });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/already gone/);
  });

  it.each([
    [[], /needs a UUID or a URL/],
    [['a', 'b'], /Unexpected argument "b"/],
    [['not/a uuid'], /neither a subscription UUID nor an http\(s\) URL/],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(['webhooks', 'unsubscribe', ...args], { env: ENV });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('webhooks', () => {
  it('--help prints the usage of every subcommand', async () => {
    const run = await runCli(['webhooks', '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/webhooks subscribe --url URL/);
    expect(run.stdout).toMatch(/webhooks list/);
    expect(run.stdout).toMatch(/webhooks unsubscribe <uuid\|url>/);
  });

  it.each([[[]], [['remove']]])('%j is a usage error', async (args) => {
    const run = await runCli(['webhooks', ...args]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/subscribe, list or unsubscribe/);
  });
});
