import type { ChaosResult } from './chaos-run';

/** Drain within this multiple of the floor set by Zoom's per-second limit (issue 8). */
export const DRAIN_TARGET_RATIO = 1.5;

/** The chaos phase: one row per seed, the invariants first. */
export function formatChaosTable(results: readonly ChaosResult[]): string {
  const rows = [
    [
      'seed',
      'mode',
      'rcv',
      'deliveries',
      'dups',
      'attempts',
      'active',
      'live',
      'ghosts',
      'dup mtgs',
      'missing',
      'rec≠',
      'daily rpt',
      '2xx',
      'acct',
      'lost',
      'bad ans',
      'tokens',
      'revoked',
      'calls/bkg',
      'w/ 429',
      'qps 429',
      'events',
      'drain s',
      'notices',
      'repeats',
      'ok',
    ],
  ];
  for (const r of results) {
    const i = r.invariants;
    const n = r.notifications;
    rows.push([
      String(r.options.seed),
      r.options.mode,
      String(r.options.receivers ?? 1),
      String(r.traffic.deliveries),
      String(r.traffic.mix.duplicates),
      String(r.sender.attempts),
      String(i.activeBookings),
      String(i.liveMeetings),
      String(i.ghosts),
      String(i.duplicates),
      String(i.missing),
      String(i.recordMismatches),
      `${i.dailyLimitReported}/${i.dailyLimitBookings}`,
      String(i.answered2xx),
      String(i.accountedFor),
      String(i.lost),
      String(i.wrongAnswers),
      String(r.zoom.tokensIssued),
      String(r.zoom.revocations),
      (r.zoom.admitted / r.traffic.bookings).toFixed(2),
      (r.zoom.apiRequests / r.traffic.bookings).toFixed(2),
      String(r.zoom.rateLimited),
      [r.options.kill ? 'kill' : '', r.options.storeOutageMs > 0 ? 'outage' : '']
        .filter(Boolean)
        .join('+') || '-',
      seconds(r.sender.drainMs),
      n ? `${n.delivered}/${n.notices}` : '-',
      n ? String(n.duplicates) : '-',
      r.pass ? 'yes' : 'NO',
    ]);
  }
  return table(rows);
}

/**
 * The fault-free phase: the drain against the floor Zoom's qps limit sets. `judged` false leaves
 * the target out, for runs too small or too loosely limited for the ratio to mean anything.
 */
export function formatFloorTable(results: readonly ChaosResult[], judged = true): string {
  const rows = [
    [
      'seed',
      'mode',
      'deliveries',
      'zoom calls',
      'qps',
      'floor s',
      'drain s',
      'ratio',
      'target',
      'qps 429',
      'tokens',
      'invariants',
    ],
  ];
  for (const r of results) {
    const ratio = r.sender.drainMs / r.floorMs;
    rows.push([
      String(r.options.seed),
      r.options.mode,
      String(r.traffic.deliveries),
      String(r.zoom.admitted),
      String(r.options.qps),
      seconds(r.floorMs),
      seconds(r.sender.drainMs),
      ratio.toFixed(2),
      judged ? `≤ ${DRAIN_TARGET_RATIO} ${ratio <= DRAIN_TARGET_RATIO ? 'yes' : 'NO'}` : '-',
      String(r.zoom.rateLimited),
      `${r.zoom.tokensIssued} ${r.zoom.tokensIssued === 1 ? 'yes' : 'NO'}`,
      r.pass ? 'ok' : 'BROKEN',
    ]);
  }
  return table(rows);
}

/** What one run did besides the table: mid-run events, faults, Zoom calls, the receiver's log. */
export function formatRunDetails(r: ChaosResult): string {
  const lines = [
    `seed ${r.options.seed} (${r.options.mode}): ${r.traffic.bookings} bookings, mix ${json(r.traffic.mix)}`,
    `  answers ${json(r.sender.answers)}; receiver logged ${json(r.receiver.requests)}`,
    `  receiver: ${r.receiver.starts} start(s), ${r.receiver.recoveredOrphans} orphan meeting(s) ` +
      `adopted by marker, ${r.receiver.finishedAfterTimeout} request(s) finished after their timeout, ` +
      `error lines ${json(r.receiver.errors)}`,
    `  zoom ${json(r.zoom.byRoute)}; faults ${json(r.zoom.faults)}; ` +
      `token requests ${r.zoom.tokenRequests} (issued ${r.zoom.tokensIssued})`,
    `  store: ${r.store.requests} Upstash requests, ${r.store.commands} commands: ` +
      `${(r.store.commands / answered(r)).toFixed(2)} per request the receiver answered, ` +
      `${(r.store.commands / r.traffic.deliveries).toFixed(2)} per delivery`,
    ...r.events.map((e) => `  event: ${e}`),
  ];
  if (r.receiver.stderr.length > 0)
    lines.push(`  stderr: ${r.receiver.stderr.join('').slice(0, 500)}`);
  for (const line of r.receiver.errorLines.filter((l) => !l.includes('daily rate limit')))
    lines.push(`  error line: ${line.slice(0, 300)}`);
  for (const p of r.notifications?.problems.slice(0, 15) ?? []) lines.push(`  NOTIFICATION ${p}`);
  const shown = r.invariants.problems.slice(0, 15);
  for (const p of shown) lines.push(`  PROBLEM ${p}`);
  if (r.invariants.problems.length > shown.length) {
    lines.push(`  … and ${r.invariants.problems.length - shown.length} more problem(s)`);
  }
  if (!r.pass) for (const line of r.diagnostics) lines.push(`  ${line}`);
  if (r.sender.unsettled > 0)
    lines.push(`  PROBLEM ${r.sender.unsettled} deliveries never settled`);
  return lines.join('\n');
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, col) =>
    Math.max(...rows.map((row) => (row[col] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row.map((cell, col) => cell.padStart(widths[col] ?? 0)).join('  ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join(
    '\n',
  );
}

function answered(r: ChaosResult): number {
  return Object.values(r.receiver.requests).reduce((sum, n) => sum + n, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function json(value: unknown): string {
  return JSON.stringify(value).replace(/"/g, '');
}
