import { loadConfig, zoomCredentialsSet, type AppConfig, type Env } from '../../config';
import { ConfigError } from '../../errors';
import { createJsonLogger } from '../../log';
import { DEFAULT_HOST, startReceiver } from '../../server/start-receiver';
import { EXIT_OK, parseCommandArgs, UsageError, type CliIo, type Command } from '../command';
import { closeWhenStopped } from '../stop-requested';
import { serveSandbox } from './serve-sandbox';

const HELP = `Usage: calendly-zoom serve [--port N] [--host ADDRESS] [--sandbox | --sandbox-if-unconfigured]

Runs the self-hosted Calendly webhook receiver: every signed Calendly delivery
becomes (or cancels) a Zoom meeting. Logs are JSON lines on stdout.

Options:
  --port N         Port to listen on (default: PORT, else 3000; 0 picks a free one).
  --host ADDRESS   Address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for every interface,
                   e.g. in a container).
  --sandbox        Run against a simulated Zoom on this machine, with its own
                   SQLite file (SANDBOX_DIR/sandbox.db, emptied at each start) and
                   a signing key made for the run and printed; no Calendly token,
                   notifications only to loopback URLs. Refuses to start when
                   ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID or ZOOM_CLIENT_SECRET is set.
                   \`calendly-zoom trigger … --sandbox\` sends it sample bookings.
  --sandbox-if-unconfigured
                   What \`npm start\` runs: the sandbox when no ZOOM_* credential is
                   set, the real receiver otherwise (which lists every missing
                   variable when some are set and others not).

Endpoints:
  POST /webhooks/calendly   Calendly deliveries (register this URL with
                            \`calendly-zoom webhooks subscribe\`).
  GET  /healthz             200 when the booking store takes a harmless write,
                            503 otherwise (answered within a second).
  GET  /                    The status page, only with STATUS_TOKEN set: today's
                            outcomes, bookings needing attention and their fix,
                            recent deliveries, notifications, the Calendly
                            subscription, a search box. Every page needs the token:
                            \`Authorization: Bearer <token>\`, or in a browser
                            open /login?token=<token> once (sets a cookie).
  GET  /bookings?q=…        The search: what \`calendly-zoom bookings show\` prints.

Environment:
  CALENDLY_SIGNING_KEY        required; the webhook subscription's signing key
                              (comma-separated while rotating keys)
  ZOOM_ACCOUNT_ID             required; Zoom Server-to-Server OAuth app
  ZOOM_CLIENT_ID              required
  ZOOM_CLIENT_SECRET          required
  ZOOM_DEFAULT_HOST           Zoom user (email) for bookings whose host has none
  UPSTASH_REDIS_REST_URL      with UPSTASH_REDIS_REST_TOKEN: keep bookings in Upstash
  UPSTASH_REDIS_REST_TOKEN
  UPSTASH_KEY_PREFIX          key prefix in Upstash (default cz:)
  STORE_PATH                  SQLite file otherwise (default ./data/calendly-zoom.db)
  PORT                        default 3000
  SIGNATURE_TOLERANCE_SECONDS age a delivery's signature may have (default 300)
  RESCHEDULE_MODE             recreate (default) | move
  NATIVE_ZOOM                 skip (default) | create, for bookings that already
                              carry Calendly's own Zoom link
  MEETING_TOPIC_TEMPLATE      default "{event} with {invitee}"
  CALENDLY_API_URL            event and invitee URIs must start with it
                              (default https://api.calendly.com)
  ZOOM_API_URL, ZOOM_OAUTH_URL  overrides for local fakes
  ZOOM_CREATE_SETTLE_SECONDS  after a create whose answer never came, how long
                              the booking waits for Zoom to finish (default 120)
  MAINTENANCE_INTERVAL_MINUTES  housekeeping: ghost meetings, moves that never
                              came (default 15; 0 = off)
  PENDING_MOVE_TIMEOUT_HOURS  move mode: how long a kept meeting waits for its
                              new booking (default 25)
  NOTIFY_URLS, NOTIFY_SECRET, SMTP_URL, MAIL_FROM …  notifications
                              (docs/notifications.md)
  STATUS_TOKEN                turns the status page on; at least 24 characters
                              (e.g. \`openssl rand -hex 24\`)
  CALENDLY_TOKEN              lets the status page show the subscription's state
  SANDBOX_DIR                 --sandbox: where its files go (default ./data)

Limits (what a flood of connections can take from the process):
  RECEIVER_MAX_CONNECTIONS      open connections at once (default 500); at
                                the cap, the connection that has waited
                                longest without sending a request is closed
  RECEIVER_MAX_BUFFERED_MB      request bodies held at once, all requests
                                together (default 32); beyond it: 503
  RECEIVER_HEADERS_TIMEOUT_MS   time to send the request head (default 10000)
  RECEIVER_STOP_TIMEOUT_MS      SIGTERM to exit, at most (default 8000)

Stops gracefully on SIGTERM or SIGINT: idle connections close at once,
requests in flight are answered first; what is still running at
RECEIVER_STOP_TIMEOUT_MS is answered 503, logged with its booking, and
abandoned (Calendly redelivers it).
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the Calendly webhook receiver (POST /webhooks/calendly, GET /healthz)',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'sandbox-if-unconfigured': { type: 'boolean', default: false },
      },
    });
    const port = values.port === undefined ? undefined : parsePort(values.port);
    if (values.host !== undefined && values.host.trim() === '') {
      throw new UsageError('--host needs an address, e.g. 127.0.0.1 or 0.0.0.0.');
    }
    const unconfigured = zoomCredentialsSet(io.env).length === 0;
    if (values.sandbox || (values['sandbox-if-unconfigured'] && unconfigured)) {
      return serveSandbox({ port, host: values.host }, io);
    }
    const config = loadServeConfig(io.env, unconfigured);
    const log = createJsonLogger((line) => io.stdout(`${line}\n`), {}, io.now);

    const receiver = await startReceiver(config, {
      log,
      port,
      host: values.host,
      fetch: io.fetch,
      now: io.now,
    });
    log.info('receiver listening', {
      url: receiver.url,
      webhookUrl: receiver.webhookUrl,
      store: receiver.storeKind,
      ...(config.store.kind === 'sqlite' ? { storePath: config.store.path } : {}),
    });

    await closeWhenStopped(io.signal, log, receiver, {
      stopped: 'receiver stopped',
      fields: { shutdownTimeoutMs: config.receiver.shutdownTimeoutMs },
    });
    return EXIT_OK;
  },
};

/** With no Zoom account configured at all, the missing settings come with the way to try it. */
function loadServeConfig(env: Env, unconfigured: boolean): AppConfig {
  try {
    return loadConfig(env, { signingKey: true, zoom: true });
  } catch (error) {
    if (!(error instanceof ConfigError) || !unconfigured) throw error;
    throw new ConfigError(
      `${error.message}\n\nNo Zoom account yet? \`npx calendly-zoom serve --sandbox\` (what \`npm start\` ` +
        'runs when no ZOOM_* variable is set) runs the receiver against a simulated Zoom.',
      { cause: error },
    );
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${text}".`);
  }
  return port;
}
