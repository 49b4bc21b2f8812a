import { CalendlyZoomError } from '../errors';

/** The booking store could not be reached or answered nonsense. Transient: retry later. */
export class StoreError extends CalendlyZoomError {
  readonly kind: 'store' | 'store_busy' | 'store_open' = 'store';
}

/**
 * Another process held the store's write lock for longer than a request may wait. Transient: the
 * delivery is answered 503 (`store_busy`) and Calendly redelivers.
 */
export class StoreBusyError extends StoreError {
  override readonly kind = 'store_busy';
}

/**
 * The store could not be opened at start-up. Not transient: the message names the path, the
 * operating system's or SQLite's code, and what to do.
 */
export class StoreOpenError extends StoreError {
  override readonly kind = 'store_open';

  constructor(
    message: string,
    readonly path: string,
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
