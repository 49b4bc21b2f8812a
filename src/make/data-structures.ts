// The two Make data stores the scenario uses, and the data structures behind them. Make does not
// create these on import, so they are shipped as files (blueprints/data-structures/) and the
// builder maps record fields by these names only: a typo fails to compile.

import type { MakeDataStructure } from './blueprint-types';

/** Record key in the token store: one Zoom account per scenario, so one record. */
export const TOKEN_RECORD_KEY = 'zoom-token';

/** The lifecycle of a booking record in the Make data store. */
export const BOOKING_STATUS = {
  /** Claimed by a run that is creating the meeting: a second delivery creates nothing. */
  creating: 'creating',
  active: 'active',
  cancelled: 'cancelled',
  /** Replaced by a reschedule; `superseded_by` names the new scheduled event. */
  superseded: 'superseded',
  /** The cancel arrived before the create: the late create makes no meeting. */
  tombstone: 'tombstone',
} as const;

const BOOKING_FIELDS = [
  ['event_uuid', 'text', 'Calendly scheduled event UUID (also the record key)', true],
  ['event_uri', 'text', 'Calendly scheduled event URI', false],
  ['status', 'text', 'creating, active, cancelled, superseded or tombstone', true],
  ['meeting_id', 'text', 'Zoom meeting id, kept as text: ids exceed 32 bits', false],
  ['join_url', 'text', 'Zoom join URL', false],
  ['start_url', 'text', 'Zoom start URL (a host secret)', false],
  ['password', 'text', 'Zoom meeting passcode', false],
  ['host', 'text', 'Zoom user the meeting belongs to', false],
  ['start_time', 'text', 'Meeting start, UTC (as sent to Zoom)', false],
  ['invitee_email', 'text', 'Email of the invitee who booked', false],
  ['superseded_by', 'text', 'UUID of the scheduled event that replaced this one', false],
  [
    'meeting_moved_to',
    'text',
    'Reschedule "move" mode: UUID of the event the meeting now serves',
    false,
  ],
  ['updated_at', 'date', 'Last change', false],
] as const;

const TOKEN_FIELDS = [
  ['access_token', 'text', 'Zoom Server-to-Server OAuth access token', true],
  ['fetched_at', 'date', 'When the token was fetched', false],
  [
    'reuse_until',
    'number',
    'Unix seconds: reuse the token until then (55 min after fetching)',
    true,
  ],
] as const;

export type BookingField = (typeof BOOKING_FIELDS)[number][0];
export type TokenField = (typeof TOKEN_FIELDS)[number][0];

export const BOOKINGS_STRUCTURE: MakeDataStructure = structure(
  'calendly-zoom-booking',
  BOOKING_FIELDS,
);
export const TOKEN_STRUCTURE: MakeDataStructure = structure('calendly-zoom-token', TOKEN_FIELDS);

/** Names the user gives the data stores; designer names of data store modules start with them. */
export const BOOKINGS_STORE_NAME = 'calendly-zoom-bookings';
export const TOKEN_STORE_NAME = 'calendly-zoom-token';

/** Designer-name prefixes: tell the user which data store to pick in each module after import. */
export const BOOKINGS_MODULE = `Bookings store (${BOOKINGS_STORE_NAME})`;
export const TOKEN_MODULE = `Token store (${TOKEN_STORE_NAME})`;

/** Record data for the bookings store, checked against the structure's field names. */
export function bookingData(fields: Partial<Record<BookingField, string>>): Record<string, string> {
  return inStructureOrder(BOOKING_FIELDS, fields);
}

export function tokenData(fields: Record<TokenField, string>): Record<string, string> {
  return inStructureOrder(TOKEN_FIELDS, fields);
}

function structure(
  name: string,
  fields: ReadonlyArray<readonly [string, string, string, boolean]>,
): MakeDataStructure {
  return {
    name,
    // Not strict: a later version may add fields without breaking records written by this one.
    strict: false,
    spec: fields.map(([field, type, label, required]) => ({ name: field, type, label, required })),
  };
}

// Same order as the structure, whatever order the caller wrote: keeps the output deterministic.
function inStructureOrder(
  fields: ReadonlyArray<readonly [string, ...unknown[]]>,
  values: Partial<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field] of fields) {
    const value = values[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}
