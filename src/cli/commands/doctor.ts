import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  createCalendlyClient,
  type CalendlyClient,
  type CalendlyUser,
} from '../../calendly/client';
import { ConfigError } from '../../errors';
import { loadConfig, type AppConfig } from '../../config';
import { createFetchHttpClient } from '../../http';
import { silentLogger } from '../../log';
import { openStore } from '../../runtime';
import type { BookingStore } from '../../store/booking-store';
import { createZoomClient, type ZoomClient } from '../../zoom/client';
import { ZoomApiError } from '../../zoom/errors';
import { createZoomTokenProvider } from '../../zoom/token';
import { createMemoryTokenCache } from '../../zoom/token-cache';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  type CliIo,
  type Command,
} from '../command';
import { errorMessage, printJson } from '../format';
import { listSubscriptions, subscriptionWarnings } from '../../calendly/subscriptions';
import { sameUrl } from './webhooks';

export type CheckStatus = 'ok' | 'warn' | 'FAIL';

export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found; for a failure, what is wrong. */
  detail: string;
  /** What to do about it, when `detail` does not already say. */
  fix?: string;
}

/** Doctor's own probes must answer fast: it is run when something is already wrong. */
const ZOOM_DEADLINE_MS = 15_000;
const APP_PAGE = 'marketplace.zoom.us → Manage → your Server-to-Server OAuth app → App Credentials';
const PROBE_MARKER = '[calendly-zoom doctor probe]';

const HELP = `Usage: calendly-zoom doctor [--url URL] [--json]

Checks every credential and endpoint the receiver, reconcile and the webhooks commands depend on,
one line per check (ok, warn or FAIL) with what to fix:
  configuration, Calendly token and organisation, Zoom credentials and token, the Zoom host and
  the scopes to read users and meetings, the store (reachable, writable), the signing key, and the
  webhook subscriptions (none disabled; one delivering to --url).

Options:
  --url URL     The receiver or Make webhook URL a subscription should deliver to
  --json        Machine-readable report on stdout
  -h, --help    Show this help

Exit code 1 when any check FAILs.
`;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check credentials, store and webhook subscriptions, and say what to fix',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs({
      args: argv,
      options: { url: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (values.url !== undefined && !/^https?:\/\/[^/\s]+/i.test(values.url)) {
      throw new UsageError(`--url must be an http(s) URL, got "${values.url}".`);
    }
    const checks = await runChecks(io, values.url ?? null);
    const failed = checks.filter((c) => c.status === 'FAIL').length;
    if (values.json) {
      printJson(io, { ok: failed === 0, checks });
    } else {
      for (const c of checks) {
        io.stdout(
          `${c.status.padEnd(4)}  ${c.name}: ${c.detail}${c.fix ? ` Fix: ${c.fix}` : ''}\n`,
        );
      }
      io.stdout(failed === 0 ? '\nAll checks passed.\n' : `\n${failed} check(s) failed.\n`);
    }
    return failed === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};

/** Every check, in the order a person would fix them; later ones are skipped when they cannot run. */
export async function runChecks(io: CliIo, url: string | null): Promise<Check[]> {
  const checks: Check[] = [];
  let config: AppConfig;
  try {
    config = loadConfig(io.env, {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => ({
      name: 'Configuration',
      status: 'FAIL',
      detail: problem,
    }));
  }
  const http = createFetchHttpClient(io.fetch);

  const calendly = config.calendly.token
    ? createCalendlyClient({ http, token: config.calendly.token, apiUrl: config.calendly.apiUrl })
    : null;
  const user = await checkCalendly(calendly, checks);
  const zoom = await checkZoomToken(io, config, http, checks);
  if (zoom) await checkZoomHost(zoom, config, user, checks);
  await checkStore(io, config, checks);
  checkSigningKey(config, checks);
  if (calendly && user) await checkSubscriptions(calendly, user, url, checks);
  else {
    checks.push({
      name: 'Webhook subscriptions',
      status: 'warn',
      detail: 'not checked: the Calendly token does not work.',
    });
  }
  return checks;
}

async function checkCalendly(
  calendly: CalendlyClient | null,
  checks: Check[],
): Promise<CalendlyUser | null> {
  if (calendly === null) {
    checks.push({
      name: 'Calendly token',
      status: 'FAIL',
      detail: 'CALENDLY_TOKEN is not set.',
      fix: 'Create a personal access token in Calendly (Integrations & Apps → API & Webhooks) and set CALENDLY_TOKEN to it.',
    });
    return null;
  }
  try {
    const user = await calendly.getCurrentUser();
    checks.push({
      name: 'Calendly token',
      status: 'ok',
      detail: `works for ${user.email || user.uri}.`,
    });
    checks.push({ name: 'Calendly organisation', status: 'ok', detail: user.organization });
    return user;
  } catch (error) {
    checks.push({ name: 'Calendly token', status: 'FAIL', detail: errorMessage(error) });
    return null;
  }
}

async function checkZoomToken(
  io: CliIo,
  config: AppConfig,
  http: ReturnType<typeof createFetchHttpClient>,
  checks: Check[],
): Promise<ZoomClient | null> {
  const missing = (
    [
      ['ZOOM_ACCOUNT_ID', config.zoom.accountId],
      ['ZOOM_CLIENT_ID', config.zoom.clientId],
      ['ZOOM_CLIENT_SECRET', config.zoom.clientSecret],
    ] as const
  )
    .filter(([, value]) => value === '')
    .map(([name]) => name);
  if (missing.length > 0) {
    checks.push({
      name: 'Zoom credentials',
      status: 'FAIL',
      detail: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.`,
      fix: `Copy ${missing.length === 1 ? 'it' : 'them'} from ${APP_PAGE}.`,
    });
    return null;
  }
  const tokens = createZoomTokenProvider({
    credentials: {
      accountId: config.zoom.accountId,
      clientId: config.zoom.clientId,
      clientSecret: config.zoom.clientSecret,
    },
    http,
    // A fresh token, never a cached one: the point is to prove the credentials work now.
    cache: createMemoryTokenCache({ now: io.now }),
    oauthUrl: config.zoom.oauthUrl,
    now: io.now,
  });
  try {
    await tokens.getToken();
    checks.push({ name: 'Zoom token', status: 'ok', detail: 'Zoom issued an access token.' });
  } catch (error) {
    // ZoomAuthError names the setting to fix (Account ID, Client ID/Secret, app deactivated).
    checks.push({ name: 'Zoom token', status: 'FAIL', detail: errorMessage(error) });
    return null;
  }
  return createZoomClient({
    http,
    tokens,
    apiUrl: config.zoom.apiUrl,
    now: io.now,
    log: silentLogger,
    deadlineMs: ZOOM_DEADLINE_MS,
  });
}

/**
 * The engine reads users (host lookup) and meetings (crash recovery) and writes meetings. Writes
 * cannot be probed without making a meeting, so the read scopes stand in for the app's scopes.
 */
async function checkZoomHost(
  zoom: ZoomClient,
  config: AppConfig,
  user: CalendlyUser | null,
  checks: Check[],
): Promise<void> {
  const defaultHost = config.lifecycle.defaultHost;
  const host = defaultHost ?? (user?.email || null);
  if (host === null) {
    checks.push({
      name: 'Zoom host',
      status: 'warn',
      detail: 'no Zoom user to check the scopes with (no ZOOM_DEFAULT_HOST, no Calendly user).',
      fix: 'Set ZOOM_DEFAULT_HOST to the email of a user of the Zoom account.',
    });
    return;
  }
  try {
    const found = await zoom.getUser(host);
    checks.push({
      name: 'Zoom host',
      status: 'ok',
      detail: `${host} is a Zoom user${found.status ? ` (${found.status})` : ''}${
        defaultHost ? ' (ZOOM_DEFAULT_HOST)' : ''
      }.`,
    });
  } catch (error) {
    const unknown = error instanceof ZoomApiError && (error.code === 1001 || error.status === 404);
    if (!unknown) {
      checks.push({ name: 'Zoom host', status: 'FAIL', detail: errorMessage(error) });
      return;
    }
    checks.push(
      defaultHost
        ? {
            name: 'Zoom host',
            status: 'FAIL',
            detail: `ZOOM_DEFAULT_HOST ${host} is not a user of the Zoom account that owns the app.`,
            fix: 'Set ZOOM_DEFAULT_HOST to the email of a (licensed) user of that account.',
          }
        : {
            name: 'Zoom host',
            status: 'warn',
            detail: `the Calendly user ${host} has no Zoom user in this account, so bookings they host fail.`,
            fix: 'Set ZOOM_DEFAULT_HOST to the email of a Zoom user who takes those meetings.',
          },
    );
    return;
  }
  try {
    await zoom.findMeetingByMarker(host, PROBE_MARKER);
    checks.push({
      name: 'Zoom scopes',
      status: 'ok',
      detail: `can read users and list ${host}'s meetings.`,
    });
  } catch (error) {
    checks.push({ name: 'Zoom scopes', status: 'FAIL', detail: errorMessage(error) });
  }
}

async function checkStore(io: CliIo, config: AppConfig, checks: Check[]): Promise<void> {
  const where =
    config.store.kind === 'sqlite'
      ? `SQLite ${config.store.path}`
      : `Upstash ${safeHost(config.store.url)}`;
  const name = `Store (${where})`;
  if (config.store.kind === 'sqlite') {
    // Before opening: opening creates the file, which would hide an unwritable directory.
    const problem = await sqliteWritableProblem(config.store.path);
    if (problem) {
      checks.push({
        name,
        status: 'FAIL',
        detail: problem,
        fix: 'Fix the permissions, or point STORE_PATH at a writable location.',
      });
      return;
    }
  }
  let store: BookingStore;
  try {
    store = openStore(config.store, io.now);
  } catch (error) {
    checks.push({ name, status: 'FAIL', detail: errorMessage(error), fix: storeFix(config) });
    return;
  }
  try {
    await store.ping();
    // A random key: reading proves the store answers without touching any booking.
    await store.get(randomUUID());
    // The same harmless write /healthz makes: a read-only token or a full disk fails here.
    await store.probe();
    checks.push({ name, status: 'ok', detail: 'reachable, readable and writable.' });
  } catch (error) {
    checks.push({ name, status: 'FAIL', detail: errorMessage(error), fix: storeFix(config) });
  } finally {
    await store.close();
  }
}

async function sqliteWritableProblem(path: string): Promise<string | null> {
  if (path === ':memory:') return null;
  try {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (info !== null) {
      await access(path, constants.R_OK | constants.W_OK);
      return null;
    }
    // Not created yet: the first existing ancestor must let it be created.
    let dir = dirname(path);
    for (;;) {
      const exists = await stat(dir).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      if (exists) break;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    await access(dir, constants.W_OK);
    return null;
  } catch (error) {
    return `${path} is not writable (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}).`;
  }
}

function storeFix(config: AppConfig): string {
  return config.store.kind === 'sqlite'
    ? 'Check STORE_PATH (the directory must be writable by this user).'
    : 'Check UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (the REST URL and a read-write token from the Upstash console).';
}

function checkSigningKey(config: AppConfig, checks: Check[]): void {
  const count = config.calendly.signingKeys.length;
  checks.push(
    count === 0
      ? {
          name: 'Signing key',
          status: 'FAIL',
          detail: 'CALENDLY_SIGNING_KEY is not set, so the receiver refuses every delivery.',
          fix: 'Set it to the key `calendly-zoom webhooks subscribe` printed; if it is lost, unsubscribe and subscribe again for a new one.',
        }
      : {
          name: 'Signing key',
          status: 'ok',
          detail: `${count} key${count === 1 ? '' : 's'} set in CALENDLY_SIGNING_KEY.`,
        },
  );
}

async function checkSubscriptions(
  calendly: CalendlyClient,
  user: CalendlyUser,
  url: string | null,
  checks: Check[],
): Promise<void> {
  const name = 'Webhook subscriptions';
  let listed: Awaited<ReturnType<typeof listSubscriptions>>;
  try {
    listed = await listSubscriptions(calendly, user, 'all');
  } catch (error) {
    checks.push({ name, status: 'FAIL', detail: errorMessage(error) });
    return;
  }
  const { subscriptions, warnings } = listed;
  for (const warning of warnings) checks.push({ name, status: 'warn', detail: warning });
  for (const s of subscriptions) {
    for (const warning of subscriptionWarnings(s)) {
      checks.push({ name, status: s.state === 'disabled' ? 'FAIL' : 'warn', detail: warning });
    }
  }
  const active = subscriptions.filter((s) => s.state === 'active');
  const subscribe = `Run \`calendly-zoom webhooks subscribe --url ${url ?? 'URL'}\` and put the printed key where the deliveries are checked.`;
  if (url === null) {
    checks.push(
      active.length === 0
        ? {
            name,
            status: 'FAIL',
            detail: 'no active webhook subscription: Calendly sends no bookings anywhere.',
            fix: subscribe,
          }
        : {
            name,
            status: 'ok',
            detail: `${active.length} active: ${active.map((s) => s.callbackUrl).join(', ')} (pass --url to check the one you expect).`,
          },
    );
    return;
  }
  const matching = active.filter((s) => sameUrl(s.callbackUrl, url));
  if (matching.length === 0) {
    const elsewhere = active.map((s) => s.callbackUrl);
    checks.push({
      name,
      status: 'FAIL',
      detail: `no active subscription delivers to ${url}${
        elsewhere.length ? ` (they deliver to ${elsewhere.join(', ')})` : ''
      }.`,
      fix: subscribe,
    });
    return;
  }
  const events = new Set(matching.flatMap((s) => s.events));
  const lacking = ['invitee.created', 'invitee.canceled'].filter((e) => !events.has(e));
  checks.push(
    lacking.length > 0
      ? {
          name,
          status: 'FAIL',
          detail: `the subscription for ${url} does not include ${lacking.join(' and ')}.`,
          fix: `Unsubscribe it and subscribe again with both events (the default).`,
        }
      : { name, status: 'ok', detail: `${url} receives invitee.created and invitee.canceled.` },
  );
}

/** The Upstash URL's host only: the rest is nobody's business in a report. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'URL';
  }
}
