import { loadConfig } from '../../config';
import { describeChannel } from '../../notify/channels';
import { urlByOrigin } from '../../url-by-origin';
import { sampleNotice } from '../../notify/sample-notice';
import { createWebhookSender } from '../../notify/webhook-sender';
import { openStore } from '../../runtime';
import type { NotificationOutbox, OutboxItem, OutboxStatus } from '../../store/outbox';
import {
  EXIT_FAILURE,
  EXIT_OK,
  parseLimit,
  parseCommandArgs,
  runSubcommand,
  UsageError,
  type CliIo,
  type Command,
} from '../command';
import { printJson, renderTable } from '../format';

const HELP = `Usage:
  calendly-zoom notifications list [--failed] [--limit N] [--json]
  calendly-zoom notifications retry <id>... | --all-failed [--json]
  calendly-zoom notifications test --url URL [--json]

The notifications \`calendly-zoom serve\` sends (signed webhooks to NOTIFY_URLS, invitee email
through SMTP_URL), kept in the store's outbox until delivered. See docs/notifications.md.

list         The newest notifications with their state, attempts and last error, and how
             many are pending, delivered (kept a day) and failed.
  --failed             Only those that failed for good (retried for 24 h, or refused)
  --limit N            At most N (default 50)

retry        Puts failed notifications back in the queue, due now; the running receiver
             sends them with the same webhook-id.
  <id>...              Ids as \`notifications list\` shows them
  --all-failed         Every failed one

test         Sends a signed sample meeting.created (fresh webhook-id, made-up booking) to URL,
             signed with NOTIFY_SECRET, and says what the consumer answered. Exit 1 unless 2xx.
  --url URL            The consumer to try, http(s)

Common:
  --json               Machine-readable output on stdout
  -h, --help           Show this help

list and retry need the store (UPSTASH_REDIS_REST_URL + _TOKEN, or STORE_PATH); test needs
NOTIFY_SECRET.
`;

export const notificationsCommand: Command = {
  name: 'notifications',
  summary: 'List, retry and test the notifications the receiver sends',
  help: HELP,
  run: (argv, io) => runSubcommand('notifications', argv, io, { list, retry, test }),
};

const DEFAULT_LIMIT = 50;

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      failed: { type: 'boolean', default: false },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const limit = parseLimit(values.limit, DEFAULT_LIMIT);
  return withOutbox(io, async (outbox, now) => {
    const items = await outbox.list({ status: values.failed ? 'failed' : undefined, limit, now });
    const counts = await outbox.counts(now);
    const rows = items.map(summarise);
    if (values.json) {
      printJson(io, { counts, items: rows });
      return EXIT_OK;
    }
    io.stdout(
      `${counts.pending} pending, ${counts.delivered} delivered (kept a day), ${counts.failed} failed.\n`,
    );
    if (rows.length === 0) return EXIT_OK;
    io.stdout('\n');
    io.stdout(
      renderTable(
        [
          'ID',
          'TYPE',
          'CHANNEL',
          'STATUS',
          'ATTEMPTS',
          'CREATED',
          'NEXT / DELIVERED',
          'LAST ERROR',
        ],
        rows.map((r) => [
          r.itemId,
          r.type,
          r.channel,
          r.status,
          String(r.attempts),
          r.createdAt,
          (r.status === 'delivered'
            ? r.deliveredAt
            : r.status === 'pending'
              ? r.nextAttemptAt
              : '') ?? '',
          r.lastError ?? '',
        ]),
      ),
    );
    if (counts.failed > 0 && !values.failed) {
      io.stdout('\nResend failed ones with `calendly-zoom notifications retry --all-failed`.\n');
    }
    return EXIT_OK;
  });
}

async function retry(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'all-failed': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const allFailed = values['all-failed'];
  if (allFailed === positionals.length > 0) {
    throw new UsageError(
      'notifications retry needs the ids to resend, or --all-failed (not both).',
    );
  }
  return withOutbox(io, async (outbox, now) => {
    const queued = await outbox.retry(
      allFailed ? { allFailed: true } : { itemIds: positionals },
      now,
    );
    if (values.json) printJson(io, { queued });
    else if (queued > 0) {
      io.stdout(
        `${queued} notification(s) queued again; the running receiver sends them within 10 s, ` +
          'with their original webhook-id.\n',
      );
    } else {
      io.stderr(
        allFailed
          ? 'No failed notifications.\n'
          : 'None of those ids is a failed notification (`calendly-zoom notifications list --failed` shows them).\n',
      );
    }
    return queued > 0 || allFailed ? EXIT_OK : EXIT_FAILURE;
  });
}

/** One line of `list`: no passcode, no start URL, a consumer URL by its origin only. */
interface ItemSummary {
  itemId: string;
  noticeId: string;
  type: string;
  channel: string;
  status: OutboxStatus;
  attempts: number;
  eventUuid: string;
  meetingId: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
}

function summarise(item: OutboxItem): ItemSummary {
  const iso = (ms: number | null): string | null =>
    ms === null ? null : new Date(ms).toISOString();
  return {
    itemId: item.itemId,
    noticeId: item.notice.id,
    type: item.notice.type,
    channel: describeChannel(item.channel),
    status: item.status,
    attempts: item.attempts,
    eventUuid: item.notice.booking.eventUuid,
    meetingId: item.notice.meeting?.id ?? null,
    createdAt: iso(item.createdAt) ?? '',
    nextAttemptAt: item.status === 'pending' ? iso(item.nextAttemptAt) : null,
    deliveredAt: iso(item.deliveredAt),
    lastError: item.lastError,
  };
}

/** The store's outbox for one command, closed afterwards. */
async function withOutbox(
  io: CliIo,
  use: (outbox: NotificationOutbox, now: number) => Promise<number>,
): Promise<number> {
  const config = loadConfig(io.env);
  const store = openStore(config.store, io.now);
  try {
    return await use(store.outbox, io.now());
  } finally {
    await store.close();
  }
}

async function test(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: { url: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (values.url === undefined) throw new UsageError('notifications test needs --url.');
  const url = values.url;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError('--url must be an http(s) URL.');
  }
  const { notify } = loadConfig(io.env);
  if (notify.secret === null) {
    io.stderr(
      'NOTIFY_SECRET is not set: the test is signed with the secret your consumers verify with ' +
        '(make one with `calendly-zoom notify secret`).\n',
    );
    return EXIT_FAILURE;
  }
  const notice = sampleNotice(io.now());
  const send = createWebhookSender({
    secret: notify.secret,
    includePasscode: notify.includePasscode,
    fetch: io.fetch,
    now: io.now,
  });
  const { status, outcome } = await send(url, notice);
  // The URL is shown by its origin only: a hook URL's path is often its secret.
  const target = urlByOrigin(url);
  const delivered = outcome.type === 'delivered';
  if (values.json) {
    printJson(io, {
      webhookId: notice.id,
      type: notice.type,
      status,
      delivered,
      error: outcome.type === 'delivered' ? null : outcome.error,
    });
  } else if (delivered) {
    io.stdout(
      `Sent a signed sample meeting.created (webhook-id ${notice.id}) to ${target}: HTTP ${status}, delivered.\n`,
    );
  } else {
    io.stderr(
      `The sample meeting.created (webhook-id ${notice.id}) to ${target} was not accepted: ` +
        `${outcome.error}. A 401 or 400 from the consumer usually means it verifies with ` +
        'another secret than NOTIFY_SECRET.\n',
    );
  }
  return delivered ? EXIT_OK : EXIT_FAILURE;
}
