import { randomBytes } from 'node:crypto';
import {
  createCalendlyClient,
  type CalendlyClient,
  type WebhookEvent,
} from '../../calendly/client';
import { listSubscriptions, subscriptionWarnings } from '../../calendly/subscriptions';
import { loadConfig } from '../../config';
import { createFetchHttpClient } from '../../http';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  runSubcommand,
  type CliIo,
  type Command,
} from '../command';
import { printJson, renderTable } from '../format';

const ALL_EVENTS: readonly WebhookEvent[] = ['invitee.created', 'invitee.canceled'];
/** 32 random bytes: 43 base64url characters, far beyond guessing. */
const SIGNING_KEY_BYTES = 32;

const HELP = `Usage:
  calendly-zoom webhooks subscribe --url URL [--scope organization|user] [--signing-key KEY]
                                   [--events invitee.created,invitee.canceled] [--json]
  calendly-zoom webhooks list [--scope organization|user|all] [--json]
  calendly-zoom webhooks unsubscribe <uuid|url> [--json]

Manages the Calendly webhook subscriptions that deliver bookings to the receiver or to Make.

subscribe    Registers URL for invitee.created and invitee.canceled. Without --signing-key a
             random key is generated and printed ONCE: Calendly never shows it again.
  --url URL            https URL of the receiver (…/webhooks/calendly) or the Make webhook;
                       http://localhost and http://127.0.0.1 are accepted for local tests
  --scope SCOPE        organization (every host's bookings; needs an owner or admin token)
                       or user (only yours). Default: organization
  --signing-key KEY    Use this key instead of a generated one (it is not printed)
  --events LIST        Comma-separated; default: invitee.created,invitee.canceled

list         Shows each subscription with its state; warns about disabled ones.
  --scope SCOPE        organization, user or all (default: all)

unsubscribe  Deletes a subscription by UUID, or every subscription whose callback is URL.

Common:
  --json               Machine-readable output on stdout
  -h, --help           Show this help

Needs CALENDLY_TOKEN (a Calendly personal access token); CALENDLY_API_URL is optional.
`;

export const webhooksCommand: Command = {
  name: 'webhooks',
  summary: 'Subscribe, list and unsubscribe Calendly webhook subscriptions',
  help: HELP,
  run: (argv, io) => runSubcommand('webhooks', argv, io, { subscribe, list, unsubscribe }),
};

async function subscribe(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      scope: { type: 'string', default: 'organization' },
      'signing-key': { type: 'string' },
      events: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.url === undefined) throw new UsageError('webhooks subscribe needs --url.');
  const { url, warning } = callbackUrl(values.url);
  const scope = oneOf(values.scope, ['organization', 'user'] as const, '--scope');
  const events = parseEvents(values.events);
  const givenKey = values['signing-key'];
  if (givenKey !== undefined && givenKey.trim() === '') {
    throw new UsageError('--signing-key is empty; leave it out to have a key generated.');
  }
  if (warning) io.stderr(`warning: ${warning}\n`);

  const calendly = calendlyClient(io);
  const user = await calendly.getCurrentUser();
  const signingKey = givenKey ?? randomBytes(SIGNING_KEY_BYTES).toString('base64url');
  const subscription = await calendly.createWebhookSubscription({
    url,
    events,
    organization: user.organization,
    scope,
    ...(scope === 'user' ? { user: user.uri } : {}),
    signingKey,
  });
  // The key is printed only when generated here: a key the user passed in is theirs already, and
  // every further print is one more copy in a terminal scroll-back or a CI log.
  const generated = givenKey === undefined ? signingKey : null;

  if (values.json) {
    printJson(io, { subscription, signingKey: generated, signingKeyGenerated: generated !== null });
    return EXIT_OK;
  }
  io.stdout(
    `Subscribed ${subscription.callbackUrl || url} to ${events.join(', ')} ` +
      `(scope ${subscription.scope || scope}, state ${subscription.state || 'active'}, uuid ${subscription.uuid}).\n`,
  );
  if (generated === null) {
    io.stdout(
      'Deliveries are signed with the key you passed: the receiver (CALENDLY_SIGNING_KEY) or Make ' +
        'must use the same one.\n',
    );
    return EXIT_OK;
  }
  io.stdout(
    `
Signing key (shown this once; Calendly never shows it again):

  ${generated}

Give it to whatever checks the deliveries' signatures:
  - the self-hosted receiver: CALENDLY_SIGNING_KEY set to it in its environment or .env, then
    restart it (during a key change, list old and new comma-separated);
  - Make: \`calendly-zoom blueprint --signing-key <key> …\` writes it into the scenario's
    signature check (blueprints/README.md).
Lost it? Run \`calendly-zoom webhooks unsubscribe ${subscription.uuid}\` and subscribe again.
`,
  );
  return EXIT_OK;
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      scope: { type: 'string', default: 'all' },
      json: { type: 'boolean', default: false },
    },
  });
  const scope = oneOf(values.scope, ['organization', 'user', 'all'] as const, '--scope');
  const calendly = calendlyClient(io);
  const user = await calendly.getCurrentUser();
  const { subscriptions, warnings } = await listSubscriptions(calendly, user, scope);
  warnings.push(...subscriptions.flatMap(subscriptionWarnings));

  if (values.json) {
    printJson(io, { subscriptions, warnings });
    return EXIT_OK;
  }
  if (subscriptions.length === 0) {
    io.stdout(
      'No webhook subscriptions. Create one with `calendly-zoom webhooks subscribe --url URL`.\n',
    );
  } else {
    io.stdout(
      renderTable(
        ['UUID', 'URL', 'EVENTS', 'SCOPE', 'STATE'],
        subscriptions.map((s) => [s.uuid, s.callbackUrl, s.events.join(','), s.scope, s.state]),
      ),
    );
  }
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
  return EXIT_OK;
}

async function unsubscribe(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const [target, ...extra] = positionals;
  if (target === undefined) throw new UsageError('webhooks unsubscribe needs a UUID or a URL.');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const byUrl = /^https?:\/\//i.test(target);
  if (!byUrl && !/^[A-Za-z0-9-]+$/.test(target)) {
    throw new UsageError(`"${target}" is neither a subscription UUID nor an http(s) URL.`);
  }

  const calendly = calendlyClient(io);
  let targets: { uuid: string; url: string | null }[];
  if (byUrl) {
    const user = await calendly.getCurrentUser();
    const { subscriptions } = await listSubscriptions(calendly, user, 'all');
    const matching = subscriptions.filter((s) => sameUrl(s.callbackUrl, target));
    if (matching.length === 0) {
      io.stderr(
        `No webhook subscription delivers to ${target}; \`calendly-zoom webhooks list\` shows where they point.\n`,
      );
      return EXIT_FAILURE;
    }
    targets = matching.map((s) => ({ uuid: s.uuid, url: s.callbackUrl }));
  } else {
    targets = [{ uuid: target, url: null }];
  }

  const results: { uuid: string; url: string | null; result: 'deleted' | 'already_gone' }[] = [];
  for (const t of targets) {
    results.push({ ...t, result: await calendly.deleteWebhookSubscription(t.uuid) });
  }
  if (values.json) {
    printJson(io, { unsubscribed: results });
    return EXIT_OK;
  }
  for (const r of results) {
    const what = `Webhook subscription ${r.uuid}${r.url ? ` (${r.url})` : ''}`;
    io.stdout(
      r.result === 'deleted' ? `${what} deleted.\n` : `${what} was already gone; nothing to do.\n`,
    );
  }
  return EXIT_OK;
}

/** The Calendly client from CALENDLY_TOKEN; a missing token is a ConfigError (exit 1). */
function calendlyClient(io: CliIo): CalendlyClient {
  const config = loadConfig(io.env, { calendlyToken: true });
  return createCalendlyClient({
    http: createFetchHttpClient(io.fetch),
    // loadConfig has thrown if the token is missing; `?? ''` only satisfies the type.
    token: config.calendly.token ?? '',
    apiUrl: config.calendly.apiUrl,
  });
}

/** Trailing slashes and the host's case do not make another endpoint. */
export function sameUrl(a: string, b: string): boolean {
  const normalise = (u: string): string => {
    try {
      const parsed = new URL(u);
      return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return normalise(a) === normalise(b);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Calendly delivers only to public https URLs; loopback http is for tests against a fake. */
function callbackUrl(raw: string): { url: string; warning: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--url "${raw}" is not a URL.`);
  }
  if (parsed.protocol === 'https:') return { url: raw, warning: null };
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) {
    return {
      url: raw,
      warning: `${raw} is only reachable from this machine: real Calendly cannot deliver to it. Use it only against a local fake Calendly.`,
    };
  }
  throw new UsageError(
    `--url must be an https URL (Calendly delivers only over https), got "${raw}".`,
  );
}

function parseEvents(raw: string | undefined): WebhookEvent[] {
  if (raw === undefined) return [...ALL_EVENTS];
  const events = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (events.length === 0) throw new UsageError('--events is empty.');
  for (const e of events) {
    if (!(ALL_EVENTS as readonly string[]).includes(e)) {
      throw new UsageError(`--events: "${e}" is not one of ${ALL_EVENTS.join(', ')}.`);
    }
  }
  return [...new Set(events)] as WebhookEvent[];
}

function oneOf<T extends string>(
  value: string | undefined,
  options: readonly T[],
  flag: string,
): T {
  if (value !== undefined && (options as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${options.join(', ')}, got "${value ?? ''}".`);
}
