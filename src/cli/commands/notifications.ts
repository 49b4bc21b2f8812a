import { loadConfig } from '../../config';
import { describeChannel } from '../../notify/channels';
import { sampleNotice } from '../../notify/sample-notice';
import { createWebhookSender } from '../../notify/webhook-sender';
import {
  EXIT_FAILURE,
  EXIT_OK,
  parseCommandArgs,
  UsageError,
  type CliIo,
  type Command,
} from '../command';
import { printJson } from '../format';

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
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'test':
        return test(rest, io);
      case undefined:
        throw new UsageError('Say what to do: notifications list, retry or test.');
      default:
        throw new UsageError(`Unknown notifications command "${sub}": use list, retry or test.`);
    }
  },
};

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
  const target = describeChannel(`webhook:${url}`).replace(/^webhook:/, '');
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
