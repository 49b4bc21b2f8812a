/**
 * Base class for every error the engine throws on purpose. Subclasses carry the facts a caller
 * needs to decide what to do (retry, tell the user, answer 4xx) so nobody has to parse messages.
 */
export abstract class CalendlyZoomError extends Error {
  abstract readonly kind: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed. Never retried: a person has to change something. */
export class ConfigError extends CalendlyZoomError {
  readonly kind = 'config';

  /** Every problem found, so one run tells the user everything that is wrong. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(
      list.length === 1 ? String(list[0]) : `Invalid configuration:\n- ${list.join('\n- ')}`,
      options,
    );
    this.problems = list;
  }
}
