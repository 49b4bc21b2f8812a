import type { Bundle, ZObject } from 'zapier-platform-core';
import type { InviteeEvent } from '../src/calendly/invitee-event';
import { handleInviteeEvent, type LifecycleConfig } from '../src/lifecycle';
import type { LifecycleOutcome } from '../src/lifecycle-outcome';
import { buildEngine, type ZapierEngine } from './engine';
import { BookingBusyError, toZapierError } from './errors';

export type StepWork<T> = (engine: ZapierEngine, bundle: Bundle) => Promise<T>;

/**
 * Every perform that talks to a service goes through here: the engine is built from the
 * connection, and whatever the work throws leaves as Zapier's error class. Each call makes a new
 * function, which Zapier needs: it finds an operation by the identity of its perform.
 */
export function step<T>(work: StepWork<T>): (z: ZObject, bundle: Bundle) => Promise<T> {
  return async (z, bundle) => {
    try {
      return await work(buildEngine(z, bundle), bundle);
    } catch (error) {
      throw withoutBundle(toZapierError(error));
    }
  };
}

/**
 * Zapier appends the whole bundle (authData aside) to the message of an error it does not know to
 * leave alone ("What happened: … with bundle {…}"), and shows and logs that message. The bundle
 * holds the subscription's signing key and the booking's personal data, and its scrubber does not
 * look inside a message. Our messages already say what happened and what to do.
 */
function withoutBundle(error: unknown): unknown {
  if (error instanceof Error) Object.assign(error, { doNotContextify: true });
  return error;
}

/** One booking event through the lifecycle; "another run holds it" asks Zapier to retry soon. */
export async function runLifecycle(
  engine: ZapierEngine,
  event: InviteeEvent,
  config: LifecycleConfig,
): Promise<LifecycleOutcome> {
  const outcome = await handleInviteeEvent(event, engine.lifecycle(config));
  if (outcome.retryLater) throw new BookingBusyError(outcome.message);
  return outcome;
}
