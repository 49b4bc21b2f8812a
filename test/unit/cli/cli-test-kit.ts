import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { main } from '../../../src/cli/main';
import type { Env } from '../../../src/config';
import usersMeFixture from '../../fixtures/calendly/users-me.response.json';
import { CREDENTIALS } from '../zoom/zoom-test-kit';

export const CALENDLY_API = 'https://api.calendly.com';
export const ZOOM_API = 'https://api.zoom.us';
/** Distinctive values, so a test can prove none of them is ever printed. */
export const CALENDLY_TOKEN = 'calendly-pat-NEVER-PRINT-6f1c2b';
export const ZOOM_SECRET = 'zoom-client-secret-NEVER-PRINT-9e8d';
export const SIGNING_KEY = 'receiver-signing-key-NEVER-PRINT-4a5b';
export const ORG = usersMeFixture.resource.current_organization;
export const USER = usersMeFixture.resource.uri;
export const USER_EMAIL = usersMeFixture.resource.email;
/** The CLI's clock in every test. */
export const NOW = Date.parse('2026-11-26T20:00:00Z');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process through its dispatcher, as `calendly-zoom …` would. */
export async function runCli(
  argv: string[],
  options: { env?: Env; isTTY?: boolean; now?: number } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
    now: () => options.now ?? NOW,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A store directory per test, removed afterwards. */
export function useTempDir(): { path: () => string } {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return { path: () => dir };
}

/** Every setting a command can need, with the store in `dir`. */
export function fullEnv(dir: string, overrides: Env = {}): Env {
  return {
    CALENDLY_TOKEN,
    CALENDLY_SIGNING_KEY: SIGNING_KEY,
    ZOOM_ACCOUNT_ID: CREDENTIALS.accountId,
    ZOOM_CLIENT_ID: CREDENTIALS.clientId,
    ZOOM_CLIENT_SECRET: ZOOM_SECRET,
    STORE_PATH: join(dir, 'store.db'),
    ...overrides,
  };
}

/** Calendly, answering only requests that carry the token. */
export function calendly(): nock.Scope {
  return nock(CALENDLY_API).matchHeader('authorization', `Bearer ${CALENDLY_TOKEN}`);
}

export function usersMe(): nock.Scope {
  return calendly().get('/users/me').reply(200, usersMeFixture);
}

export function page(collection: object[], nextPage: string | null = null) {
  return { collection, pagination: { count: collection.length, next_page: nextPage } };
}

export function subscription(
  uuid: string,
  overrides: {
    url?: string;
    state?: string;
    scope?: string;
    events?: string[];
    retry_started_at?: string | null;
  } = {},
) {
  return {
    uri: `${CALENDLY_API}/webhook_subscriptions/${uuid}`,
    callback_url: overrides.url ?? 'https://app.example.com/webhooks/calendly',
    created_at: '2026-03-01T10:00:00.123456Z',
    updated_at: '2026-03-01T10:00:00.123456Z',
    retry_started_at: overrides.retry_started_at ?? null,
    state: overrides.state ?? 'active',
    events: overrides.events ?? ['invitee.created', 'invitee.canceled'],
    scope: overrides.scope ?? 'user',
    organization: ORG,
    user: USER,
    creator: USER,
  };
}

/** The two listings `webhooks list` makes (organisation scope, then user scope). */
export function subscriptionListings(
  organization: object[] | { status: number; body: object },
  user: object[],
): nock.Scope {
  const scope = calendly()
    .get('/webhook_subscriptions')
    .query({ organization: ORG, scope: 'organization', count: '100' });
  const withOrg = Array.isArray(organization)
    ? scope.reply(200, page(organization))
    : scope.reply(organization.status, organization.body);
  return withOrg
    .get('/webhook_subscriptions')
    .query({ organization: ORG, scope: 'user', user: USER, count: '100' })
    .reply(200, page(user));
}

export function useNetworkGuard(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());
}
