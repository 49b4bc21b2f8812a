import { loadConfig } from '../../config';
import { ConfigError } from '../../errors';
import { createFetchHttpClient } from '../../http';
import { runMaintenance, type MaintenanceReport } from '../../maintenance';
import {
  applyReconciliation,
  describeFinding,
  planReconciliation,
  type AppliedFix,
  type DiscrepancyKind,
  type ReconcileScope,
  type ReconcileWindow,
  type ReconciliationPlan,
} from '../../reconcile';
import { createRuntime } from '../../runtime';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  parseIsoInstant,
  type CliIo,
  type Command,
} from '../command';
import { createCliLogger, createProgress, printJson, renderTable } from '../format';

const DAY_MS = 86_400_000;
const DEFAULT_PAST_DAYS = 7;
const DEFAULT_FUTURE_DAYS = 60;
const KINDS: readonly DiscrepancyKind[] = ['missing_meeting', 'ghost_meeting', 'stale_record'];

const HELP = `Usage: calendly-zoom reconcile [--since ISO] [--until ISO] [--scope organization|user]
                                [--apply] [--json] [--verbose]

Heals what webhooks missed (receiver down, a disabled subscription). Lists the Calendly bookings
starting in the window, active and cancelled, compares them with the store and with Zoom, and
reports:
  missing_meeting  an active booking without a live Zoom meeting
  ghost_meeting    a cancelled booking whose Zoom meeting still exists
  stale_record     the store disagrees with Calendly (record active but booking cancelled, record
                   cancelled but booking active, invitees it never heard of, work left half-done)
With --apply each is fixed through the same lifecycle a delivery runs, and the housekeeping
\`serve\` runs every MAINTENANCE_INTERVAL_MINUTES runs once: meetings that carry a booking's marker
but are not its recorded meeting (ghosts) are deleted, and a meeting kept for a reschedule whose
new booking never came (move mode) is deleted after PENDING_MOVE_TIMEOUT_HOURS.

Options:
  --since ISO        Start of the window (default: ${DEFAULT_PAST_DAYS} days ago)
  --until ISO        End of the window (default: ${DEFAULT_FUTURE_DAYS} days ahead)
  --scope SCOPE      organization (every host; needs an owner or admin token) or user (only the
                     token's own bookings). Default: organization
  --apply            Fix what was found
  --json             Machine-readable report on stdout
  --verbose          Log each lifecycle step on stderr
  -h, --help         Show this help

Needs CALENDLY_TOKEN, ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET and the store
(UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN, or STORE_PATH). Bookings with Calendly's own
Zoom link are left alone unless NATIVE_ZOOM=create.
Exit code 1 when --apply could not fix everything.
`;

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Find and fix bookings whose Zoom meeting or record is wrong',
  help: HELP,
  async run(argv, io) {
    const { values } = parseCommandArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        scope: { type: 'string', default: 'organization' },
        apply: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
    });
    const now = io.now();
    const window: ReconcileWindow = {
      since: instant(values.since, '--since', now - DEFAULT_PAST_DAYS * DAY_MS),
      until: instant(values.until, '--until', now + DEFAULT_FUTURE_DAYS * DAY_MS),
    };
    if (Date.parse(window.since) >= Date.parse(window.until)) {
      throw new UsageError(`--since (${window.since}) must be before --until (${window.until}).`);
    }
    const scopeName = values.scope;
    if (scopeName !== 'organization' && scopeName !== 'user') {
      throw new UsageError(`--scope must be organization or user, got "${scopeName ?? ''}".`);
    }

    const config = loadConfig(io.env, { calendlyToken: true, zoom: true });
    const runtime = createRuntime(config, {
      log: createCliLogger(io, values.verbose),
      http: createFetchHttpClient(io.fetch),
      now: io.now,
    });
    try {
      // Present: loadConfig required CALENDLY_TOKEN.
      const calendly = runtime.calendly;
      if (calendly === null) throw new ConfigError('CALENDLY_TOKEN is not set.');
      const user = await calendly.getCurrentUser();
      const scope: ReconcileScope =
        scopeName === 'organization' ? { organization: user.organization } : { user: user.uri };

      const checking = createProgress(io, 'Checking bookings');
      let plan: ReconciliationPlan;
      try {
        plan = await planReconciliation(
          {
            calendly,
            store: runtime.store,
            zoom: runtime.zoom,
            config: config.lifecycle,
            now: io.now,
          },
          scope,
          window,
          checking.update,
        );
      } finally {
        checking.finish();
      }

      let applied: AppliedFix[] | null = null;
      let housekeeping: MaintenanceReport | null = null;
      if (values.apply) {
        const fixing = createProgress(io, 'Fixing');
        try {
          applied = await applyReconciliation(plan, runtime.lifecycle, fixing.update);
        } finally {
          fixing.finish();
        }
        housekeeping = await runMaintenance(
          { ...runtime.lifecycle, zoom: runtime.zoom },
          { pendingMoveTimeoutMs: config.maintenance.pendingMoveTimeoutMs },
        );
      }

      if (values.json)
        printJson(io, {
          ...jsonReport(plan, scopeName, applied),
          ...(housekeeping ? { housekeeping } : {}),
        });
      else {
        printReport(io, plan, applied);
        if (housekeeping) printHousekeeping(io, housekeeping);
      }
      const unfixed =
        (applied?.some((a) => a.result !== 'fixed') ?? false) ||
        (housekeeping?.errors.length ?? 0) > 0;
      return unfixed ? EXIT_FAILURE : EXIT_OK;
    } finally {
      await runtime.close();
    }
  },
};

function jsonReport(
  plan: ReconciliationPlan,
  scope: string,
  applied: AppliedFix[] | null,
): Record<string, unknown> {
  return {
    window: plan.window,
    scope,
    checked: plan.checked,
    consistent: plan.consistent,
    skipped: plan.skipped,
    findings: plan.findings.map(describeFinding),
    applied,
    summary: summary(plan, applied),
  };
}

/** Per kind: how many bookings show it, and (with --apply) how many of those were fixed. */
function summary(
  plan: ReconciliationPlan,
  applied: AppliedFix[] | null,
): Record<DiscrepancyKind, { found: number; fixed: number | null }> {
  const fixed = new Set(applied?.filter((a) => a.result === 'fixed').map((a) => a.eventUuid));
  const entries = KINDS.map((kind) => {
    const found = plan.findings.filter((f) => f.kinds.includes(kind));
    return [
      kind,
      {
        found: found.length,
        fixed: applied === null ? null : found.filter((f) => fixed.has(f.eventUuid)).length,
      },
    ] as const;
  });
  return Object.fromEntries(entries) as Record<
    DiscrepancyKind,
    { found: number; fixed: number | null }
  >;
}

function printReport(io: CliIo, plan: ReconciliationPlan, applied: AppliedFix[] | null): void {
  const { skipped } = plan;
  const skippedText = [
    skipped.nativeZoom ? `${skipped.nativeZoom} with Calendly's own Zoom link` : '',
    skipped.inProgress ? `${skipped.inProgress} being handled right now` : '',
    skipped.over ? `${skipped.over} already over` : '',
  ].filter(Boolean);
  io.stdout(
    `Checked ${plan.checked} Calendly booking(s) starting ${plan.window.since} .. ${plan.window.until}: ` +
      `${plan.consistent} consistent, ${plan.findings.length} with discrepancies` +
      `${skippedText.length ? `; skipped ${skippedText.join(', ')}` : ''}.\n`,
  );
  if (plan.findings.length === 0) return;

  const results = new Map(applied?.map((a) => [a.eventUuid, a]));
  io.stdout('\n');
  io.stdout(
    renderTable(
      [
        'EVENT',
        'START',
        'BOOKING',
        'RECORD',
        'MEETING',
        'FOUND',
        'FIX',
        ...(applied ? ['RESULT'] : []),
      ],
      plan.findings.map((f) => [
        f.eventUuid,
        f.startTime,
        f.bookingStatus,
        f.recordStatus ?? '',
        f.meetingId ?? '',
        f.kinds.join(','),
        f.fix,
        ...(applied ? [results.get(f.eventUuid)?.result ?? ''] : []),
      ]),
    ),
  );
  io.stdout('\n');
  for (const f of plan.findings) {
    const result = results.get(f.eventUuid);
    io.stdout(
      `- ${f.eventUuid} (${f.eventName}): ${f.problem} ` +
        (result ? `${result.result}: ${result.message}` : `Fix: ${f.fixDescription}`) +
        '\n',
    );
  }
  io.stdout('\n');
  const counts = summary(plan, applied);
  io.stdout(
    renderTable(
      ['DISCREPANCY', 'FOUND', ...(applied ? ['FIXED'] : [])],
      KINDS.map((k) => [
        k,
        String(counts[k].found),
        ...(applied ? [String(counts[k].fixed ?? 0)] : []),
      ]),
    ),
  );
  if (!applied) io.stdout('\nRun again with --apply to fix them.\n');
}

function printHousekeeping(io: CliIo, report: MaintenanceReport): void {
  io.stdout(
    `\nHousekeeping: ${report.ghostsDeleted.length} ghost meeting(s) deleted, ` +
      `${report.movesExpired.length} meeting(s) kept for a move that never came deleted.\n`,
  );
  for (const { meetingId, eventUuid } of report.ghostsDeleted) {
    io.stdout(`- deleted Zoom meeting ${meetingId}, a stray copy for booking ${eventUuid}\n`);
  }
  for (const problem of report.errors) io.stdout(`- ${problem}\n`);
}

/** An ISO 8601 date or date-time, as the ISO instant Calendly takes. */
function instant(raw: string | undefined, flag: string, fallback: number): string {
  if (raw === undefined) return new Date(fallback).toISOString();
  const ms = parseIsoInstant(raw);
  if (ms === null) {
    throw new UsageError(
      `${flag} must be an ISO 8601 date or date-time (e.g. 2026-03-01T00:00:00Z), got "${raw}".`,
    );
  }
  return new Date(ms).toISOString();
}
