import type { Logger, LogFields } from '../log';

/** A logger that adds `fields` to every line: the request id on everything a request logs. */
export function withLogFields(log: Logger, fields: LogFields): Logger {
  return {
    info: (message, more) => log.info(message, { ...fields, ...more }),
    warn: (message, more) => log.warn(message, { ...fields, ...more }),
    error: (message, more) => log.error(message, { ...fields, ...more }),
  };
}
