import type { ZObject } from 'zapier-platform-core';
import type { LogFields, Logger } from '../src/log';

/**
 * The engine's logger over `z.console`, which Zapier keeps with the run. Fields are ids and
 * outcomes by the engine's own rule; Zapier scrubs connection values on top of that.
 */
export function zapierLogger(z: Pick<ZObject, 'console'>): Logger {
  const line = (message: string, fields?: LogFields): string =>
    fields === undefined ? message : `${message} ${JSON.stringify(fields)}`;
  return {
    info: (message, fields) => z.console.log(line(message, fields)),
    warn: (message, fields) => z.console.warn(line(message, fields)),
    error: (message, fields) => z.console.error(line(message, fields)),
  };
}
