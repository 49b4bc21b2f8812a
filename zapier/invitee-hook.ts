import type { Bundle } from 'zapier-platform-core';
import { CalendlyApiError, type EventOwner } from '../src/calendly/client';
import {
  InvalidPayloadError,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../src/calendly/errors';
import type { InviteeEvent, InviteeEventKind } from '../src/calendly/invitee-event';
import { inviteeEventFromApi } from '../src/calendly/invitee-from-api';
import { lastSegment } from '../src/calendly/json';
import { readDelivery, type ReadDelivery } from '../src/delivery';
import { StoreError } from '../src/store/errors';
import type { ZapierEngine } from './engine';
import { DeliveryRejectedError } from './errors';
import { choice, type InputData } from './input';
import { toInviteeItem, type InviteeItem } from './invitee-item';
import { generateSigningKey } from './signing-key';
import { step } from './step';
import {
  createOrReplaceSubscription,
  scopeRefusal,
  subscribeDataOf,
  type InviteeSubscribeData,
} from './subscription';

export const SCOPE_FIELD = {
  key: 'scope',
  label: 'Scope',
  required: false,
  default: 'organization',
  choices: {
    organization: "Everyone's bookings in my Calendly organization (needs an owner or admin token)",
    user: 'Only my bookings',
  },
  helpText:
    'Whose bookings start this Zap. Organization-wide needs the connection to use the token of a Calendly organization owner or admin.',
};

function scopeOf(input: InputData): 'organization' | 'user' {
  return choice(
    input,
    SCOPE_FIELD.key,
    SCOPE_FIELD.label,
    ['organization', 'user'],
    'organization',
  );
}

/** Subscribes this Zap's URL to `kinds` with a key of its own, and keeps the key in subscribeData. */
export function subscribeInviteeHook(kinds: readonly InviteeEventKind[]) {
  return step(async (engine, bundle): Promise<InviteeSubscribeData> => {
    const scope = scopeOf(bundle.inputData);
    const url = bundle.targetUrl;
    if (!url) throw new Error('Zapier gave no hook URL to subscribe to Calendly with.');
    const me = await engine.calendly.getCurrentUser();
    const signingKey = generateSigningKey();
    const subscription = await createOrReplaceSubscription(engine.calendly, {
      url,
      events: kinds,
      organization: me.organization,
      scope,
      ...(scope === 'user' ? { user: me.uri } : {}),
      signingKey,
    });
    return { id: subscription.uuid, uri: subscription.uri, signing_secret: signingKey, scope };
  });
}

export function unsubscribeInviteeHook() {
  return step(async (engine, bundle) => {
    const { id, uri } = subscribeDataOf(bundle.subscribeData);
    const ref = uri ?? id;
    // Nothing was subscribed (subscribe failed): nothing to remove.
    if (ref === undefined) return { id: null, result: 'nothing_to_remove' };
    return { id: id ?? ref, result: await engine.calendly.deleteWebhookSubscription(ref) };
  });
}

/**
 * How old a signed delivery may be when the trigger runs. Zapier may queue a hook for a while
 * before running it, and a refused delivery is a lost booking; a replay inside the window is
 * harmless, since the dedupe passes each delivery on once (and the actions are idempotent).
 */
export const DELIVERY_MAX_AGE_SECONDS = 12 * 3600;

const REJECTED = 'Nothing was done with it.';
const NEW_URL =
  'If this keeps happening, someone else knows the hook URL: turn the Zap off and on again, which gives it a new URL and a new signing key.';

/** Why a delivery was refused, in words that say what to do. */
const REJECTION: Record<WebhookVerificationReason, string> = {
  missing_header: `A request reached this Zap's hook URL without Calendly's signature header, so it did not come from Calendly. ${REJECTED} ${NEW_URL}`,
  malformed_header: `A request reached this Zap's hook URL with a malformed Calendly signature header. ${REJECTED} ${NEW_URL}`,
  signature_mismatch: `A delivery reached this Zap's hook URL whose signature does not match this Zap's signing key: forged, altered on the way, or meant for another Zap. ${REJECTED} ${NEW_URL}`,
  timestamp_too_old: `A Calendly delivery signed more than ${DELIVERY_MAX_AGE_SECONDS / 3600} hours ago reached this Zap, too old to trust. ${REJECTED} If it was a real booking, run Create Meeting for Booking for it by hand with its Invitee URI.`,
  timestamp_in_future: `A Calendly delivery signed more than ${DELIVERY_MAX_AGE_SECONDS / 3600} hours in the future reached this Zap, so it is not trusted. ${REJECTED} ${NEW_URL}`,
};

/**
 * Turns a delivery into at most one item. A delivery this Zap cannot trust (no raw request, no key,
 * a signature that fails, a body that is not an invitee event) stops the run with a HaltedError
 * naming why and what to do: visible in the Zap history, never counted towards turning the Zap
 * off, since anyone with the URL can send one. A delivery already passed on (Calendly retries, a
 * replay) produces no item, so it starts no second run.
 */
export function readInviteeDelivery(kinds: readonly InviteeEventKind[]) {
  return step(async (engine, bundle): Promise<InviteeItem[]> => {
    const read = verifiedDelivery(bundle, engine.now());
    if (read.type === 'ignored') {
      engine.log.info('Calendly delivery ignored: not an event this trigger handles', {
        event: read.eventType,
      });
      return [];
    }
    if (!kinds.includes(read.event.kind)) {
      engine.log.info('Calendly delivery ignored: another trigger handles this event', {
        event: read.event.kind,
      });
      return [];
    }
    const { id, uri } = subscribeDataOf(bundle.subscribeData);
    if (!(await passedOnOnce(engine, id ?? uri ?? 'unknown', read.event))) return [];
    return [toInviteeItem(read.event)];
  });
}

function verifiedDelivery(bundle: Bundle, now: number): ReadDelivery {
  const signingKey = subscribeDataOf(bundle.subscribeData).signing_secret;
  if (signingKey === undefined) {
    throw new DeliveryRejectedError(
      `This Zap has no signing key for Calendly's deliveries (its subscription was made by an older version of this app, or did not finish), so it cannot tell a real booking from a forged one. ${REJECTED} Turn the Zap off and on again: that subscribes to Calendly anew with a key.`,
    );
  }
  const raw = bundle.rawRequest;
  if (raw === undefined || typeof raw.content !== 'string' || raw.content === '') {
    throw new DeliveryRejectedError(
      `Zapier handed this run no raw Calendly delivery, so its signature cannot be checked. ${REJECTED} If it came from replaying an old run, make a new booking (or run Create Meeting for Booking by hand) instead.`,
    );
  }
  try {
    return readDelivery({
      rawBody: raw.content,
      headers: raw.headers ?? {},
      signingKeys: signingKey,
      now,
      toleranceSeconds: DELIVERY_MAX_AGE_SECONDS,
    });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      throw new DeliveryRejectedError(REJECTION[error.reason], { cause: error });
    }
    if (error instanceof InvalidPayloadError) {
      throw new DeliveryRejectedError(
        `A delivery signed with this Zap's key is not a Calendly invitee event (${error.message}). ${REJECTED}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * True the first time this Zap sees this invitee event. When Upstash cannot say, the delivery is
 * passed on anyway: a duplicate run is harmless to the meeting (the actions are idempotent),
 * while a dropped delivery is a lost booking that nobody retries (Zapier already answered
 * Calendly).
 */
async function passedOnOnce(
  engine: ZapierEngine,
  scope: string,
  event: InviteeEvent,
): Promise<boolean> {
  try {
    const first = await engine
      .dedupe()
      .claimFirst({ scope, inviteeUri: event.inviteeUri, kind: event.kind });
    if (!first) {
      engine.log.info('Calendly delivery already passed on; this copy starts no run', {
        kind: event.kind,
        eventUuid: event.eventUuid,
      });
    }
    return first;
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    engine.log.warn('could not check for a repeated delivery; passing it on', {
      kind: event.kind,
      eventUuid: event.eventUuid,
    });
    return true;
  }
}

/** The editor's test shows at most three records; fetching more only risks its 30 s. */
const SAMPLE_SIZE = 3;

/**
 * A few recent real bookings from the Calendly API, shaped like deliveries, so a Zap can be tested
 * without making a booking: one page of the latest-starting events, newest first, and one page of
 * each one's latest invitees.
 */
export function listRecentInvitees(kinds: readonly InviteeEventKind[]) {
  return step(async (engine, bundle): Promise<InviteeItem[]> => {
    const scope = scopeOf(bundle.inputData);
    const me = await engine.calendly.getCurrentUser();
    const owner: EventOwner =
      scope === 'user' ? { user: me.uri } : { organization: me.organization };
    const status =
      kinds.length === 1 ? (kinds[0] === 'invitee.canceled' ? 'canceled' : 'active') : undefined;
    const events = await engine.calendly
      .recentScheduledEvents({ ...owner, count: SAMPLE_SIZE, ...(status ? { status } : {}) })
      .catch((error: unknown) => {
        throw error instanceof CalendlyApiError && error.status === 403
          ? scopeRefusal(error, scope)
          : error;
      });
    const perEvent = await Promise.all(
      events.map(async (scheduledEvent) => {
        const invitees = await engine.calendly.recentEventInvitees(
          lastSegment(String(scheduledEvent['uri'] ?? '')),
          { count: SAMPLE_SIZE, ...(status ? { status } : {}) },
        );
        return invitees.map((invitee) => inviteeEventFromApi(invitee, scheduledEvent));
      }),
    );
    return perEvent
      .flat()
      .filter((event) => kinds.includes(event.kind))
      .slice(0, SAMPLE_SIZE)
      .map(toInviteeItem);
  });
}
