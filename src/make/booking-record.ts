// Writing the booking record, and the per-invitee lists inside it. Every write replaces the whole
// record (Add/replace, overwrite on): fields not changed are copied from the record as read, so no
// write depends on how Make's "Update a record" treats fields it is not given.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { answer } from './answers';
import { condition, type Conditions } from './conditions';
import { BOOKING_FIELD_NAMES, BOOKINGS_MODULE, type BookingField } from './data-structures';
import { endUnix, eventUuid } from './facts';
import { formula, out } from './formula';
import { datastoreReplace } from './modules';
import type { BlueprintOptions } from './options';

/** Calendly keeps retrying a failed delivery for 24 h, each time signed afresh. */
const CALENDLY_RETRY_SECONDS = 86_400;

/**
 * How long a record outlives its booking: a delivery may still arrive (Calendly's retries) and be
 * accepted (the signature window) until then, and must still find the record to stay idempotent.
 */
export function recordRetentionSeconds(
  options: Pick<BlueprintOptions, 'signatureToleranceSeconds'>,
): number {
  return options.signatureToleranceSeconds + CALENDLY_RETRY_SECONDS;
}

/** A create whose answer was lost keeps others waiting this long before they look for the meeting. */
export const CLAIM_SECONDS = 600;

export interface BookingWrite {
  name: string;
  /** The record key (text, formulas allowed); by default this delivery's booking. */
  key?: string;
  /** The module that read the record, whose fields are kept unless set; null for a new record. */
  from: number | null;
  set: Partial<Record<BookingField, string>>;
  /** What to do when the write fails; by default, answer 503 so Calendly delivers again. */
  onFailure?: () => MakeModule[];
}

export function writeBooking(ctx: BuildContext, write: BookingWrite): MakeModule {
  const data: Record<string, string> = {};
  const defaults: Partial<Record<BookingField, string>> = {
    updated_at: formula('now'),
    expires_at: formula(`max(timestamp; ${endUnix(ctx)}) + ${recordRetentionSeconds(ctx.options)}`),
  };
  for (const field of BOOKING_FIELD_NAMES) {
    const value =
      write.set[field] ??
      defaults[field] ??
      (write.from === null ? undefined : formula(out(write.from, field)));
    if (value !== undefined && value !== '') data[field] = value;
  }
  const module = datastoreReplace(
    ctx.ids,
    `${BOOKINGS_MODULE}: ${write.name}`,
    write.key ?? formula(eventUuid(ctx)),
    data,
    ctx.options.makeIds.bookingsStore,
  );
  module.onerror = (write.onFailure ?? (() => storeFailed(ctx, module.id)))();
  return module;
}

/** The data store did not answer (or is full): nothing is decided, let Calendly deliver again. */
export function storeFailed(ctx: BuildContext, failed: number): MakeModule[] {
  return [
    answer(ctx, 'the data store failed, deliver again', {
      status: '503',
      outcome: 'store_error',
      reason: out(failed, 'error.message'),
    }),
  ];
}

/** Keeps a booking's record alive a retention period from now, however old its booking. */
export function retainFromNow(ctx: BuildContext, record: number | null): string {
  const previous = record === null ? '0' : `ifempty(${out(record, 'expires_at')}; 0)`;
  return formula(`max(${previous}; timestamp + ${recordRetentionSeconds(ctx.options)})`);
}

// Invitee lists are text: UUIDs between commas (",a,b,"), so "is b in it" is a text search for
// ",b," that never matches part of another UUID.

export function listed(list: string, invitee: string): Conditions {
  return condition(formula(`ifempty(${list}; ",")`), 'text:contain', `,${formula(invitee)},`);
}

/** The list without the invitee (as it was when the invitee was not in it). */
export function withoutInvitee(list: string, invitee: string): string {
  return formula(`replace(ifempty(${list}; ","); "," + ${invitee} + ","; ",")`);
}

/** The list with the invitee, exactly once. */
export function withInvitee(list: string, invitee: string): string {
  return `${withoutInvitee(list, invitee)}${formula(invitee)},`;
}

/** Someone other than this invitee is still booked. */
export function othersRemain(list: string, invitee: string): Conditions {
  return condition(
    formula(`length(replace(ifempty(${list}; ","); "," + ${invitee} + ","; ","))`),
    'number:greater',
    '1',
  );
}

/** Another delivery's create of this booking may still be at Zoom. */
export function claimLive(record: number): Conditions {
  return condition(
    formula(`ifempty(${out(record, 'claim_until')}; 0)`),
    'number:greater',
    formula('timestamp'),
  );
}
