import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import subscriptionErrors from '../../fixtures/calendly/webhook-subscription.errors.json';
import { api, fixture, issueTokens, tokenEndpoint, type Exchange } from '../zoom/zoom-test-kit';
import {
  CALENDLY_TOKEN,
  SIGNING_KEY,
  USER_EMAIL,
  ZOOM_SECRET,
  calendly,
  fullEnv,
  runCli,
  subscription,
  subscriptionListings,
  useNetworkGuard,
  usersMe,
  useTempDir,
  type CliRun,
} from './cli-test-kit';

useNetworkGuard();
const tmp = useTempDir();

const URL = 'https://app.example.com/webhooks/calendly';
const UPSTASH = 'https://eu1-doctor.upstash.io';
const UPSTASH_TOKEN = 'upstash-token-NEVER-PRINT';
const zoomUser = fixture<Exchange & { body: Record<string, unknown> }>('get-user.response').body;
const userPath = (email: string) => `/v2/users/${encodeURIComponent(email)}`;

/** Zoom answering the host and meeting-list probes for `email`. */
function zoomHostProbes(email = USER_EMAIL) {
  return api()
    .get(userPath(email))
    .reply(200, { ...zoomUser, email, status: 'active' })
    .get(`${userPath(email)}/meetings`)
    .query({ type: 'upcoming', page_size: '300' })
    .reply(200, { page_size: 300, total_records: 0, next_page_token: '', meetings: [] });
}

/** Everything answering as it should. Parts are replaced per test by passing them in. */
function healthy(
  parts: { calendly?: boolean; zoomToken?: boolean; zoomHost?: boolean; subs?: boolean } = {},
) {
  if (parts.calendly !== false) usersMe();
  if (parts.zoomToken !== false) issueTokens(1);
  if (parts.zoomHost !== false) zoomHostProbes();
  if (parts.subs !== false) subscriptionListings([], [subscription('sub-1', { url: URL })]);
}

interface CheckLine {
  status: string;
  text: string;
}

/** The report's lines as status and text ("<name>: <detail> Fix: <fix>"). */
function checkLines(run: CliRun): CheckLine[] {
  return run.stdout
    .split('\n')
    .map((line) => /^(ok|warn|FAIL) +(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ status: m[1] ?? '', text: m[2] ?? '' }));
}

/** The first line of check `name`. */
function lineOf(run: CliRun, name: string): CheckLine {
  return checkLines(run).find((l) => l.text.startsWith(name)) ?? { status: 'missing', text: '' };
}

describe('doctor', () => {
  it('passes every check when everything is set up, one line each', async () => {
    healthy();

    const run = await runCli(['doctor', '--url', URL], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Calendly token: works for host@example\.com\.$/),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(
        /^Calendly organisation: https:\/\/api\.calendly\.com\/organizations\//,
      ),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Zoom token: /),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Zoom host: host@example\.com is a Zoom user \(active\)\.$/),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Zoom scopes: /),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Store \(SQLite .*\): reachable, readable and writable\.$/),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(/^Signing key: 1 key set in CALENDLY_SIGNING_KEY\.$/),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'ok',
      text: expect.stringMatching(
        /^Webhook subscriptions: https:\/\/app\.example\.com\/webhooks\/calendly receives invitee\.created and invitee\.canceled\.$/,
      ),
    });
    expect(run.stdout).toMatch(/All checks passed\.\n$/);
    expect(nock.isDone()).toBe(true);
  });

  it('--json prints every check and the overall result', async () => {
    healthy();

    const run = await runCli(['doctor', '--json'], { env: fullEnv(tmp.path()) });

    const report = JSON.parse(run.stdout) as { ok: boolean; checks: object[] };
    expect(report.ok).toBe(true);
    expect(report.checks).toEqual(
      expect.arrayContaining([
        { name: 'Calendly token', status: 'ok', detail: 'works for host@example.com.' },
        expect.objectContaining({ name: 'Webhook subscriptions', status: 'ok' }),
      ]),
    );
  });

  it('names a rejected Calendly token and how to get a new one', async () => {
    healthy({ calendly: false, subs: false });
    calendly()
      .get('/users/me')
      .reply(401, { title: 'Unauthenticated', message: 'The access token is invalid' });

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Calendly token')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Calendly token: .*check CALENDLY_TOKEN/),
    });
  });

  it('says how to create a Calendly token when none is set', async () => {
    issueTokens(1);
    api().get(userPath('default@example.com')).reply(200, zoomUser);
    api()
      .get(`${userPath('default@example.com')}/meetings`)
      .query(true)
      .reply(200, { meetings: [], next_page_token: '' });

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), {
        CALENDLY_TOKEN: undefined,
        ZOOM_DEFAULT_HOST: 'default@example.com',
      }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Calendly token')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Calendly token: CALENDLY_TOKEN is not set\. Fix: Create a personal access token/,
      ),
    });
    expect(lineOf(run, 'Webhook subscriptions')).toEqual({
      status: 'warn',
      text: expect.stringMatching(/^.*not checked/),
    });
  });

  it('lists the Zoom credentials that are missing', async () => {
    healthy({ zoomToken: false, zoomHost: false });

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), { ZOOM_CLIENT_ID: undefined, ZOOM_CLIENT_SECRET: '' }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Zoom credentials')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Zoom credentials: ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET are not set\. Fix: Copy them from marketplace\.zoom\.us/,
      ),
    });
  });

  it('names a wrong Zoom client secret', async () => {
    healthy({ zoomToken: false, zoomHost: false });
    tokenEndpoint().reply(400, {
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Zoom token')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Zoom token: Zoom rejected the Client ID or Client Secret/),
    });
  });

  it('names a wrong Zoom account ID', async () => {
    healthy({ zoomToken: false, zoomHost: false });
    tokenEndpoint().reply(400, { reason: 'Invalid account_id', error: 'invalid_request' });

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(lineOf(run, 'Zoom token')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Zoom token: .*Account ID/),
    });
  });

  it('fails a ZOOM_DEFAULT_HOST that is not a user of the Zoom account', async () => {
    healthy({ zoomHost: false });
    api().get(userPath('nobody@example.com')).reply(404, {
      code: 1001,
      message: 'User nobody@example.com does not exist or does not belong to this account.',
    });

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), { ZOOM_DEFAULT_HOST: 'nobody@example.com' }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Zoom host')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Zoom host: ZOOM_DEFAULT_HOST nobody@example\.com is not a user .* Fix: Set ZOOM_DEFAULT_HOST/,
      ),
    });
  });

  it('warns when the Calendly user has no Zoom user and no default host is set', async () => {
    healthy({ zoomHost: false });
    api().get(userPath(USER_EMAIL)).reply(404, { code: 1001, message: 'User does not exist.' });

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(lineOf(run, 'Zoom host')).toEqual({
      status: 'warn',
      text: expect.stringMatching(/^Zoom host: .* Fix: Set ZOOM_DEFAULT_HOST/),
    });
  });

  it('names a scope the Zoom app lacks', async () => {
    healthy({ zoomToken: false, zoomHost: false });
    // The second token: a scope error on a cached token is retried once with a fresh one.
    issueTokens(2);
    api().get(userPath(USER_EMAIL)).reply(200, zoomUser);
    api()
      .get(`${userPath(USER_EMAIL)}/meetings`)
      .query(true)
      .times(2)
      .reply(400, {
        code: 4711,
        message:
          'Invalid access token, does not contain scopes:[meeting:read:list_meetings:admin].',
      });

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Zoom scopes')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Zoom scopes: .*meeting:read:list_meetings:admin.*Scopes/),
    });
  });

  it('fails a store path that cannot be written, and says which setting to change', async () => {
    healthy();
    const file = join(tmp.path(), 'a-file');
    writeFileSync(file, 'not a directory');

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), { STORE_PATH: join(file, 'store.db') }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Store')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Store \(SQLite .*\): .*store\.db is not writable \(ENOTDIR\)\. Fix: .*point STORE_PATH at a writable location/,
      ),
    });
  });

  it('fails an Upstash token that may read but not write', async () => {
    healthy();
    fakeUpstash({ readOnly: true });

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), {
        UPSTASH_REDIS_REST_URL: UPSTASH,
        UPSTASH_REDIS_REST_TOKEN: UPSTASH_TOKEN,
      }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Store')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Store \(Upstash eu1-doctor\.upstash\.io\): .*probe failed: .*NOPERM.* Fix: Check UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN .*read-write token/,
      ),
    });
    expect(run.stdout).not.toContain(UPSTASH_TOKEN);
  });

  it('passes an Upstash store that answers reads and writes', async () => {
    healthy();
    fakeUpstash({ readOnly: false });

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), {
        UPSTASH_REDIS_REST_URL: UPSTASH,
        UPSTASH_REDIS_REST_TOKEN: UPSTASH_TOKEN,
      }),
    });

    expect(lineOf(run, 'Store')).toEqual({
      status: 'ok',
      text: expect.stringMatching(/^Store \(Upstash eu1-doctor\.upstash\.io\): reachable/),
    });
  });

  it('fails without a signing key, saying where the key comes from', async () => {
    healthy();

    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), { CALENDLY_SIGNING_KEY: undefined }),
    });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Signing key')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Signing key: CALENDLY_SIGNING_KEY is not set.* Fix: .*webhooks subscribe/,
      ),
    });
  });

  it('fails a disabled subscription and says to resubscribe', async () => {
    healthy({ subs: false });
    subscriptionListings([], [subscription('dead', { state: 'disabled' })]);

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(checkLines(run)).toContainEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Webhook subscriptions: Subscription dead .* is disabled.*resubscribe/,
      ),
    });
  });

  it('fails when no subscription delivers to --url, saying where they do deliver', async () => {
    healthy({ subs: false });
    subscriptionListings([], [subscription('sub-1', { url: 'https://old.example.com/hook' })]);

    const run = await runCli(['doctor', '--url', URL], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Webhook subscriptions')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(
        /^Webhook subscriptions: no active subscription delivers to https:\/\/app\.example\.com\/webhooks\/calendly \(they deliver to https:\/\/old\.example\.com\/hook\)\. Fix: Run `calendly-zoom webhooks subscribe --url https:\/\/app\.example\.com\/webhooks\/calendly`/,
      ),
    });
  });

  it('fails when there is no subscription at all', async () => {
    healthy({ subs: false });
    subscriptionListings([], []);

    const run = await runCli(['doctor'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(lineOf(run, 'Webhook subscriptions')).toEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^.*no active webhook subscription/),
    });
  });

  it('warns when organisation subscriptions are hidden from the token', async () => {
    healthy({ subs: false });
    subscriptionListings({ status: 403, body: subscriptionErrors['403_not_admin'] }, [
      subscription('sub-1', { url: URL }),
    ]);

    const run = await runCli(['doctor', '--url', URL], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(checkLines(run)).toContainEqual({
      status: 'warn',
      text: expect.stringMatching(
        /^Webhook subscriptions: Organisation-scope subscriptions are hidden/,
      ),
    });
  });

  it('reports each configuration problem and stops there', async () => {
    const run = await runCli(['doctor'], {
      env: fullEnv(tmp.path(), { PORT: 'eighty', ZOOM_DEFAULT_HOST: 'not-an-email' }),
    });

    expect(run.code).toBe(1);
    expect(checkLines(run)).toContainEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Configuration: PORT must be a whole number/),
    });
    expect(checkLines(run)).toContainEqual({
      status: 'FAIL',
      text: expect.stringMatching(/^Configuration: ZOOM_DEFAULT_HOST must be the email/),
    });
  });

  it('rejects a --url that is not http(s) as a usage error', async () => {
    const run = await runCli(['doctor', '--url', 'app.example.com']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--url must be an http\(s\) URL/);
  });

  it('never prints the Calendly token, the Zoom secret or the signing key, even when failing', async () => {
    healthy({ calendly: false, zoomToken: false, zoomHost: false, subs: false });
    calendly()
      .get('/users/me')
      .reply(401, { title: 'Unauthenticated', message: 'The access token is invalid' });
    tokenEndpoint().reply(400, {
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });

    const runs = [
      await runCli(['doctor'], { env: fullEnv(tmp.path()) }),
      await runCli(['doctor', '--json'], {
        env: fullEnv(tmp.path(), { CALENDLY_TOKEN: undefined }),
      }),
    ];

    for (const run of runs) {
      for (const secret of [CALENDLY_TOKEN, ZOOM_SECRET, SIGNING_KEY]) {
        expect(run.stdout + run.stderr).not.toContain(secret);
      }
    }
  });
});

/**
 * Upstash's REST protocol, just enough for ping, get, set and del (one command, or a pipeline of
 * them). Strings come back base64-encoded, as the client asks for; "OK" does not.
 */
function fakeUpstash({ readOnly }: { readOnly: boolean }): void {
  const data = new Map<string, string>();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const run = ([command, key, value]: string[]): object => {
    switch (command?.toLowerCase()) {
      case 'ping':
        return { result: b64('PONG') };
      case 'get': {
        const v = data.get(String(key));
        return { result: v === undefined ? null : b64(v) };
      }
      case 'set':
        if (readOnly)
          return { error: "NOPERM this user has no permissions to run the 'set' command" };
        data.set(String(key), String(value));
        return { result: 'OK' };
      case 'del':
        return { result: data.delete(String(key)) ? 1 : 0 };
      default:
        return { error: `ERR unknown command ${String(command)}` };
    }
  };
  nock(UPSTASH)
    .persist()
    .post(/.*/)
    .reply((uri, body) => {
      if (uri.endsWith('/pipeline')) return [200, (body as string[][]).map(run)];
      const answer = run(body as string[]);
      return 'error' in answer ? [400, answer] : [200, answer];
    });
}
