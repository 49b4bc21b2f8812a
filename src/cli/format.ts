import type { Logger } from '../log';
import type { CliIo } from './command';

/** Machine output: one JSON document on stdout, nothing else there. */
export function printJson(io: Pick<CliIo, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Left-aligned columns separated by two spaces; the last column is not padded, so lines carry no
 * trailing blanks. Empty cells show as "-" so columns never collapse.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => row[i] || '-'));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export interface Progress {
  /** `done` of `total` steps finished. */
  update(done: number, total: number): void;
  /** Clears the bar so what follows starts on a clean line. */
  finish(): void;
}

const BAR_WIDTH = 30;

/**
 * A progress bar on stderr, redrawn in place. Only on a terminal: in a pipe or a CI log the
 * carriage returns would pile up as noise, so it does nothing there.
 */
export function createProgress(io: Pick<CliIo, 'stderr' | 'isTTY'>, label: string): Progress {
  if (!io.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  return {
    update(done, total) {
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * BAR_WIDTH);
      io.stderr(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`,
      );
      drawn = true;
    },
    finish() {
      // ESC[2K erases the whole line the bar was drawn on.
      if (drawn) io.stderr('\r\x1b[2K');
      drawn = false;
    },
  };
}

/**
 * The engine's log for a CLI run: warnings and errors as plain lines on stderr, so they neither
 * mix with --json on stdout nor drown the report; routine info only with --verbose. Log fields
 * carry ids and statuses by construction (see log.ts), never secrets.
 */
export function createCliLogger(io: Pick<CliIo, 'stderr'>, verbose = false): Logger {
  const line =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      const details = Object.entries(fields)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ');
      io.stderr(`${level}: ${message}${details ? ` (${details})` : ''}\n`);
    };
  return {
    info: verbose ? line('info') : () => {},
    warn: line('warn'),
    error: line('error'),
  };
}

/** An error's message for one line of output; anything not an Error is described, not dumped. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : `unexpected failure: ${String(error)}`;
}
