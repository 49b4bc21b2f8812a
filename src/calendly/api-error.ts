import { CalendlyZoomError } from '../errors';

/** Calendly answered with an error. `title` and `detail` are Calendly's; `message` says what to do. */
export class CalendlyApiError extends CalendlyZoomError {
  readonly kind = 'calendly_api';

  constructor(
    readonly status: number,
    readonly title: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** No answer at all (status 0), rate limited or Calendly's side failed: worth trying later. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
