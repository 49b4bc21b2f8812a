import { CalendlyZoomError } from '../../errors';

/**
 * The blueprint uses a module, IML function, keyword, filter operator or option the simulator does
 * not model. Raised when the simulator is built (or a formula is first read), never half-way
 * through pretending: a simulation that guesses would prove nothing.
 */
export class MakeUnsupportedError extends CalendlyZoomError {
  readonly kind = 'make_unsupported';

  constructor(readonly names: readonly string[]) {
    super(`The Make simulator does not model: ${names.join('; ')}.`);
  }
}

/** A formula that cannot be read at all (unbalanced brackets, a stray character). */
export class ImlSyntaxError extends CalendlyZoomError {
  readonly kind = 'iml_syntax';
}

/**
 * Make's error types as its help pages name them ("Error processing", "Fixing connection
 * errors", "Fixing rate limit errors"). The type decides what Make does with an unhandled error.
 */
export type MakeErrorType =
  | 'ConnectionError'
  | 'RateLimitError'
  | 'ModuleTimeoutError'
  | 'DataError'
  | 'DuplicateDataError'
  | 'InvalidConfigurationError'
  | 'RuntimeError';

/** What a module outputs instead of bundles when it fails: error handlers see it. */
export class MakeModuleError extends CalendlyZoomError {
  readonly kind = 'make_module';

  constructor(
    readonly type: MakeErrorType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
