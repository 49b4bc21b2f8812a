import type { Bundle, ZObject } from 'zapier-platform-core';
import {
  CalendlyApiError,
  type InviteeSummary,
  type ScheduledEventSummary,
} from '../src/calendly/client';
import { InvalidPayloadError, WebhookVerificationError } from '../src/calendly/errors';
import type { InviteeEvent, InviteeEventKind } from '../src/calendly/invitee-event';
import { readDelivery } from '../src/delivery';
import { choice, type InputData } from './input';
import { toInviteeItem, type InviteeItem } from './invitee-item';
import { zapierLogger } from './logger';
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
 * Turns a delivery into at most one item. Anything this Zap's key did not sign (forged, replayed
 * after the tolerance, unsigned), anything that is not an invitee event and events of another
 * kind produce no item, hence no Zap run, and one log line saying why.
 */
export function readInviteeDelivery(kinds: readonly InviteeEventKind[]) {
  return async (z: ZObject, bundle: Bundle): Promise<InviteeItem[]> => {
    const log = zapierLogger(z);
    const signingKey = subscribeDataOf(bundle.subscribeData).signing_secret;
    if (signingKey === undefined) {
      log.warn(
        'Calendly delivery ignored: this Zap has no signing key; turn the Zap off and on again',
      );
      return [];
    }
    const raw = bundle.rawRequest ?? {};
    let read;
    try {
      read = readDelivery({
        rawBody: raw.content ?? '',
        headers: raw.headers ?? {},
        signingKeys: signingKey,
        now: Date.now(),
      });
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        log.warn('Calendly delivery rejected: its signature does not check out', {
          reason: error.reason,
        });
        return [];
      }
      if (error instanceof InvalidPayloadError) {
        log.warn('Calendly delivery ignored: not a Calendly invitee event', { field: error.field });
        return [];
      }
      throw error;
    }
    if (read.type === 'ignored') {
      log.info('Calendly delivery ignored: not an event this trigger handles', {
        event: read.eventType,
      });
      return [];
    }
    if (!kinds.includes(read.event.kind)) {
      log.info('Calendly delivery ignored: another trigger handles this event', {
        event: read.event.kind,
      });
      return [];
    }
    return [toInviteeItem(read.event)];
  };
}

const DAY_MS = 24 * 3600_000;
const SAMPLE_EVENTS = 3;
const SAMPLE_ITEMS = 5;

/**
 * Recent real bookings from the Calendly API, shaped like deliveries, so a Zap can be tested
 * without making a booking: the latest-starting events within a month either side of now.
 */
export function listRecentInvitees(kinds: readonly InviteeEventKind[]) {
  return step(async (engine, bundle): Promise<InviteeItem[]> => {
    const scope = scopeOf(bundle.inputData);
    const me = await engine.calendly.getCurrentUser();
    const now = engine.now();
    const onlyCanceled = kinds.length === 1 && kinds[0] === 'invitee.canceled';
    const events = await engine.calendly
      .listScheduledEvents({
        ...(scope === 'user' ? { user: me.uri } : { organization: me.organization }),
        minStartTime: new Date(now - 30 * DAY_MS).toISOString(),
        maxStartTime: new Date(now + 30 * DAY_MS).toISOString(),
        ...(kinds.length === 1 ? { status: onlyCanceled ? 'canceled' : 'active' } : {}),
      })
      .catch((error: unknown) => {
        throw error instanceof CalendlyApiError && error.status === 403
          ? scopeRefusal(error, scope)
          : error;
      });
    const latest = events.slice(-SAMPLE_EVENTS).reverse();
    const items: InviteeItem[] = [];
    for (const event of latest) {
      for (const invitee of await engine.calendly.listEventInvitees(event.uri)) {
        const kind: InviteeEventKind =
          invitee.status === 'canceled' ? 'invitee.canceled' : 'invitee.created';
        if (kinds.includes(kind))
          items.push(toInviteeItem(inviteeEventFromApi(event, invitee, kind)));
      }
    }
    return items.slice(0, SAMPLE_ITEMS);
  });
}

/** The API's view of a booking in the shape a delivery has (it lacks Q&A and cancel details). */
function inviteeEventFromApi(
  event: ScheduledEventSummary,
  invitee: InviteeSummary,
  kind: InviteeEventKind,
): InviteeEvent {
  const start = Date.parse(event.startTime);
  const end = Date.parse(event.endTime);
  const utc = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    kind,
    eventUri: event.uri,
    eventUuid: event.uuid,
    inviteeUri: invitee.uri,
    inviteeUuid: invitee.uri.replace(/\/+$/, '').split('/').pop() ?? '',
    eventName: event.name,
    eventTypeUri: null,
    startTime: utc(start),
    endTime: utc(end),
    durationMinutes: Math.round((end - start) / 60_000),
    hostEmail: event.hostEmails[0] ?? null,
    hostEmails: event.hostEmails,
    invitee: { name: invitee.name, email: invitee.email, timezone: invitee.timezone },
    rescheduled: invitee.rescheduled,
    oldInviteeUri: invitee.oldInvitee,
    newInviteeUri: invitee.newInvitee,
    location: { type: event.locationType, status: null, joinUrl: event.locationJoinUrl },
    seats: { active: null, total: null, limit: null },
    cancellation: null,
    questionsAndAnswers: [],
    cancelUrl: null,
    rescheduleUrl: null,
    deliveredAt: invitee.createdAt,
    format: 'v2',
  };
}
