import { CalendlyZoomError } from '../errors';

export type WebhookVerificationReason =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'signature_mismatch';

/** The delivery cannot be trusted; the receiver answers 401 and the lifecycle never sees it. */
export class WebhookVerificationError extends CalendlyZoomError {
  readonly kind = 'webhook_verification';

  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Which rule a field broke. Answers and logs carry the field and the rule, never the value: the
 * value is the sender's text, and a signed body can still carry anything.
 */
export type PayloadRule =
  | 'missing'
  | 'not_json'
  | 'not_object'
  | 'not_array'
  | 'not_string'
  | 'not_date_time'
  | 'not_after_start'
  | 'not_event_name'
  | 'not_calendly_uri'
  | 'not_calendly_id'
  /** Callers outside the webhook parser that only have a message. */
  | 'invalid';

/** The body is not a Calendly invitee event we can act on. `field` names the first bad field. */
export class InvalidPayloadError extends CalendlyZoomError {
  readonly kind: string = 'invalid_payload';
  readonly rule: PayloadRule;

  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown; rule?: PayloadRule },
  ) {
    super(message, options);
    this.rule = options?.rule ?? 'invalid';
  }
}

/**
 * A well-formed Calendly delivery of an event type we do not handle (e.g. `invitee_no_show.created`).
 * Distinct from a broken body: a receiver acknowledges it (200, ignored) so Calendly stops retrying.
 */
export class UnsupportedEventError extends InvalidPayloadError {
  override readonly kind = 'unsupported_event';

  /** `eventType` is shaped like a Calendly event name (the parser checks), so it may be echoed. */
  constructor(readonly eventType: string) {
    super(
      'event',
      `Calendly event "${eventType}" is not handled: only invitee.created and invitee.canceled are.`,
    );
  }
}
