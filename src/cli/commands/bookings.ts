import { existsSync } from 'node:fs';
import { viewBooking, type BookingView } from '../../bookings/booking-view';
import { findBookings, listBookings, parseBookingQuery } from '../../bookings/find-bookings';
import { loadConfig, sandboxDir } from '../../config';
import { openStore } from '../../runtime';
import { sandboxFiles, SandboxNotRunningError } from '../../sandbox/sandbox-files';
import type { BookingStore } from '../../store/booking-store';
import { SqliteBookingStore } from '../../store/sqlite';
import { shortTime, statusLabel } from '../../bookings/labels';
import { renderBooking } from '../booking-text';
import {
  EXIT_FAILURE,
  EXIT_OK,
  parseIsoInstant,
  parseLimit,
  parseCommandArgs,
  runSubcommand,
  UsageError,
  type CliIo,
  type Command,
} from '../command';
import { printJson, renderTable } from '../format';

const BOOKING_STATUSES = [
  'needs_attention',
  'creating',
  'active',
  'cancelling',
  'cancelled',
  'superseded',
  'tombstoned',
] as const;

const HELP = `Usage:
  calendly-zoom bookings list [--status S[,S…]] [--since WHEN] [--limit N] [--sandbox] [--json]
  calendly-zoom bookings show <invitee email | event or invitee URI | event UUID | Zoom meeting id>
                              [--sandbox] [--json]

What the store knows of each Calendly booking: its meeting, what went wrong and how to fix it,
and the history of the deliveries that changed it. See docs/operations.md.

list         Bookings by their latest change, newest first.
  --status S           Only these: ${BOOKING_STATUSES.join(', ')}
                       (needs_attention: the engine could not serve it until a person
                       fixes something). Comma-separated for several.
  --since WHEN         Changed since an ISO date or time (2026-03-01, 2026-03-01T09:00Z) or
                       for the last 30m, 12h, 7d
  --limit N            At most N (default 50)

show         One booking (or every booking of an invitee's email): the record, its meeting
             (never the host's start URL), the fix for one that needs attention, and its
             history: each delivery (invitee.created, invitee.canceled) and how it ended.
             Exit 1 when nothing matches.

Common:
  --sandbox            Read the sandbox's bookings (SANDBOX_DIR, default ./data) instead of
                       the real store
  --json               Machine-readable output on stdout
  -h, --help           Show this help

Reads the store as \`serve\` does: Upstash with UPSTASH_REDIS_REST_URL + _TOKEN, else the SQLite
file at STORE_PATH. A lookup by email or meeting id reads every record.
`;

export const bookingsCommand: Command = {
  name: 'bookings',
  summary: 'Look bookings up: their meeting, what went wrong and the fix, their history',
  help: HELP,
  run: (argv, io) => runSubcommand('bookings', argv, io, { list, show }),
};

const DEFAULT_LIMIT = 50;

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      status: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      sandbox: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const statuses = values.status === undefined ? undefined : parseStatuses(values.status);
  const since = values.since === undefined ? undefined : parseSince(values.since, io.now());
  const limit = parseLimit(values.limit, DEFAULT_LIMIT);
  return withStore(io, values.sandbox, async (store) => {
    const views = (await listBookings(store, { statuses, since, limit })).map(viewBooking);
    if (values.json) {
      printJson(io, { bookings: views });
      return EXIT_OK;
    }
    if (views.length === 0) {
      io.stdout('No bookings match.\n');
      return EXIT_OK;
    }
    io.stdout(
      renderTable(
        ['CHANGED', 'STATUS', 'STARTS', 'EVENT', 'INVITEE', 'MEETING'],
        views.map((v) => [
          shortTime(v.updatedAt),
          statusLabel(v),
          shortTime(v.startTime),
          v.eventName ?? '',
          v.invitee?.email ?? '',
          v.meeting?.id ?? '',
        ]),
      ),
    );
    io.stdout(
      `${views.length} booking${views.length === 1 ? '' : 's'}` +
        `${views.length === limit ? ` (the latest ${limit}; --limit for more)` : ''}. ` +
        'One in full: calendly-zoom bookings show <email | URI | meeting id>\n',
    );
    return EXIT_OK;
  });
}

async function show(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sandbox: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [text, ...extra] = positionals;
  if (text === undefined) {
    throw new UsageError(
      'Name the booking: an invitee email, a Calendly event or invitee URI, or a Zoom meeting id.',
    );
  }
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const query = parseBookingQuery(text);
  if (query === null) {
    throw new UsageError(
      `"${text}" is not an invitee email, a Calendly scheduled event or invitee URI, an event UUID or a Zoom meeting id.`,
    );
  }
  return withStore(io, values.sandbox, async (store) => {
    const views: BookingView[] = (await findBookings(store, query)).map(viewBooking);
    if (values.json) printJson(io, { query: text, bookings: views });
    else if (views.length > 0) io.stdout(views.map(renderBooking).join('\n'));
    if (views.length === 0) {
      io.stderr(
        `No booking matches "${text}". The store keeps finished bookings for 90 days; ` +
          '`calendly-zoom bookings list` shows what it holds.\n',
      );
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  });
}

/** The real store, or with --sandbox the sandbox's own file; closed afterwards. */
async function withStore(
  io: CliIo,
  sandbox: boolean,
  use: (store: BookingStore) => Promise<number>,
): Promise<number> {
  const store = sandbox ? openSandboxStore(io) : openStore(loadConfig(io.env).store, io.now);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function openSandboxStore(io: CliIo): BookingStore {
  const { storePath } = sandboxFiles(sandboxDir(io.env));
  if (!existsSync(storePath)) {
    throw new SandboxNotRunningError(
      `No sandbox has run here yet (${storePath} does not exist): start one with \`npm start\` ` +
        'or `npx calendly-zoom serve --sandbox`.',
    );
  }
  return new SqliteBookingStore({ path: storePath, now: io.now });
}

function parseStatuses(text: string): string[] {
  const statuses = text.split(',').map((s) => s.trim().replace(/-/g, '_'));
  const unknown = statuses.filter((s) => !(BOOKING_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown status "${unknown[0]}": use ${BOOKING_STATUSES.join(', ')} (comma-separated).`,
    );
  }
  return statuses;
}

const RELATIVE = /^(\d+)([mhd])$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO date or time, or a span back from now: 30m, 12h, 7d. */
function parseSince(text: string, now: number): number {
  const relative = RELATIVE.exec(text);
  if (relative) return now - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? 0);
  const at = parseIsoInstant(text);
  if (at === null) {
    throw new UsageError(
      `--since must be an ISO date or time (2026-03-01, 2026-03-01T09:00Z) or a span such as 30m, 12h or 7d, got "${text}".`,
    );
  }
  return at;
}
