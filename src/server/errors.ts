import { CalendlyZoomError } from '../errors';

/** The body is bigger than the receiver accepts: answered 413, the rest is never read. */
export class PayloadTooLargeError extends CalendlyZoomError {
  readonly kind = 'payload_too_large';

  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
  }
}

/** The client went away (or broke the stream) before the whole body arrived. */
export class RequestAbortedError extends CalendlyZoomError {
  readonly kind = 'request_aborted';
}

/**
 * The request did not finish within the receiver's hard limit. Answered 503 so Calendly retries:
 * whatever work is still running finishes in the background, and the redelivery sees its result.
 */
export class RequestTimeoutError extends CalendlyZoomError {
  readonly kind = 'request_timeout';

  constructor(readonly timeoutMs: number) {
    super(`The request was not done after ${timeoutMs} ms; answering 503 so Calendly retries.`);
  }
}

/** The receiver could not bind its port (in use, not permitted, unknown host). */
export class ListenError extends CalendlyZoomError {
  readonly kind = 'listen';
}

/**
 * Every byte the receiver may hold for request bodies is taken (RECEIVER_MAX_BUFFERED_MB): this
 * request is refused with 503, so memory stays bounded whatever a flood sends.
 */
export class ReceiverBusyError extends CalendlyZoomError {
  readonly kind = 'receiver_busy';

  constructor() {
    super('The receiver holds as many request bodies as it may; try again shortly.');
  }
}

/** Shutdown reached its bound before this request was answered; Calendly redelivers it. */
export class ShuttingDownError extends CalendlyZoomError {
  readonly kind = 'shutting_down';

  constructor() {
    super('The receiver is shutting down; the delivery will be retried.');
  }
}
