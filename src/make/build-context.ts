import { out } from './formula';
import type { IdSequence } from './modules';
import type { BlueprintOptions } from './options';

/** Variables of the "Settings" module: what the user pastes in after import. */
export const SETTINGS = {
  signingKey: 'calendly_signing_key',
  zoomAccountId: 'zoom_account_id',
  zoomHost: 'zoom_host',
} as const;

/** Variables of the "Booking facts" module, computed once from the payload for every route. */
export const FACTS = {
  eventUuid: 'event_uuid',
  /** The Zoom user for the meeting URL: the Settings host, or the Calendly host for `event-host`. */
  zoomUser: 'zoom_user',
  startTime: 'start_time',
  durationMinutes: 'duration_minutes',
  topic: 'topic',
  /** On a rescheduled cancel: the UUID of the scheduled event that replaces this one. */
  newEventUuid: 'new_event_uuid',
  /** On a rescheduled create: the UUID of the scheduled event it replaces. */
  oldEventUuid: 'old_event_uuid',
} as const;

/** The modules at the root of the scenario, which every route maps from. */
export interface Trunk {
  webhook: number;
  settings: number;
  payload: number;
  facts: number;
}

export interface BuildContext {
  ids: IdSequence;
  options: BlueprintOptions;
  trunk: Trunk;
}

/** A field of the parsed Calendly delivery, inside a formula: `payload(ctx, 'event')`. */
export function payload(ctx: BuildContext, path: string): string {
  return out(ctx.trunk.payload, path);
}

export function setting(ctx: BuildContext, name: (typeof SETTINGS)[keyof typeof SETTINGS]): string {
  return out(ctx.trunk.settings, name);
}

export function fact(ctx: BuildContext, name: (typeof FACTS)[keyof typeof FACTS]): string {
  return out(ctx.trunk.facts, name);
}
