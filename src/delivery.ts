import { UnsupportedEventError } from './calendly/errors';
import { parseInviteeEvent, type InviteeEvent } from './calendly/invitee-event';
import { verifyCalendlySignature, type HeaderBag } from './calendly/signature';
import { handleInviteeEvent, type LifecycleDeps } from './lifecycle';
import type { LifecycleOutcome } from './lifecycle-outcome';

export interface DeliveryInput {
  /** The body exactly as received. */
  rawBody: Buffer | string;
  headers: HeaderBag;
  signingKeys: string | readonly string[];
  now: number;
  toleranceSeconds?: number;
  /** CALENDLY_API_URL: the event and invitee URIs must be on it (default api.calendly.com). */
  calendlyApiUrl?: string;
}

export type ReadDelivery =
  | { type: 'event'; event: InviteeEvent; timestamp: number }
  /** Signed by Calendly, but an event type we do not act on (e.g. invitee_no_show.created). */
  | { type: 'ignored'; eventType: string; message: string };

export interface IgnoredDelivery {
  outcome: 'ignored';
  message: string;
  eventType: string;
}

/**
 * Verifies and parses one Calendly delivery: the signature first, over the raw bytes, and JSON
 * only after it holds. Throws WebhookVerificationError or InvalidPayloadError. Every transport
 * (the receiver, the Zapier trigger) calls this and nothing else to trust a delivery.
 */
export function readDelivery(input: DeliveryInput): ReadDelivery {
  const { timestamp } = verifyCalendlySignature({
    rawBody: input.rawBody,
    header: input.headers,
    signingKeys: input.signingKeys,
    now: input.now,
    toleranceSeconds: input.toleranceSeconds,
  });
  try {
    const event = parseInviteeEvent(input.rawBody, { calendlyApiUrl: input.calendlyApiUrl });
    return { type: 'event', event, timestamp };
  } catch (error) {
    if (error instanceof UnsupportedEventError) {
      return { type: 'ignored', eventType: error.eventType, message: error.message };
    }
    throw error;
  }
}

/** Verifies, parses and runs a delivery through the lifecycle: the receiver's whole job. */
export async function handleDelivery(
  input: DeliveryInput,
  deps: LifecycleDeps,
): Promise<LifecycleOutcome | IgnoredDelivery> {
  const read = readDelivery(input);
  if (read.type === 'ignored') {
    return { outcome: 'ignored', message: read.message, eventType: read.eventType };
  }
  return handleInviteeEvent(read.event, deps);
}
