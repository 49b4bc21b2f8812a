/**
 * The logging port. Fields are structured so a log line never needs a message built from
 * untrusted text, and so secrets can be kept out by construction: callers pass ids, not payloads.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};

/** One JSON object per line, for the receiver and the CLI. */
export function createJsonLogger(
  write: (line: string) => void,
  base: LogFields = {},
  now: () => number = Date.now,
): Logger {
  const emit =
    (level: string) =>
    (message: string, fields: LogFields = {}): void =>
      write(
        JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...base, ...fields }),
      );
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
