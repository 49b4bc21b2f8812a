import type { Redis } from '@upstash/redis';
import type { InviteeEventKind } from './calendly/invitee-event';
import { ConfigError } from './errors';
import { StoreError } from './store/errors';

/** Calendly retries a delivery it could not hand over for up to 24 hours. */
export const CALENDLY_RETRY_WINDOW_SECONDS = 24 * 3600;

/**
 * How long an emitted delivery is remembered: Calendly's retry window, plus the age a signed
 * delivery may reach before a transport refuses it, with room to spare.
 */
export const DEFAULT_DEDUPE_TTL_SECONDS = 72 * 3600;

/** What makes two deliveries the same: one consumer, one invitee, one kind of event. */
export interface DeliveryKey {
  /** Whose deliveries these are (a Zap's webhook subscription): each consumer sees each once. */
  scope: string;
  inviteeUri: string;
  kind: InviteeEventKind;
}

export interface DeliveryDedupe {
  /** True the first time a key is seen within the TTL; false for every repeat. */
  claimFirst(key: DeliveryKey): Promise<boolean>;
}

export interface DeliveryDedupeOptions {
  redis: Pick<Redis, 'set'>;
  /** Every key starts with it. Default `cz:`. */
  prefix?: string;
  ttlSeconds?: number;
}

/**
 * Remembers which Calendly deliveries were already passed on, so a redelivery (Calendly retries
 * without a delivery id) is recognised. One `SET NX EX` per delivery: the check and the mark are a
 * single atomic command, so two copies arriving together cannot both pass.
 */
export function createDeliveryDedupe(options: DeliveryDedupeOptions): DeliveryDedupe {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= CALENDLY_RETRY_WINDOW_SECONDS) {
    throw new ConfigError(
      `The delivery dedupe must remember deliveries longer than Calendly's 24 h retry window; got ${ttlSeconds} s.`,
    );
  }
  const prefix = `${options.prefix ?? 'cz:'}delivered:`;
  return {
    async claimFirst({ scope, inviteeUri, kind }) {
      try {
        const set = await options.redis.set(`${prefix}${scope}:${kind}:${inviteeUri}`, '1', {
          nx: true,
          ex: ttlSeconds,
        });
        return set !== null;
      } catch (cause) {
        throw new StoreError('Upstash: could not record the Calendly delivery.', { cause });
      }
    },
  };
}
