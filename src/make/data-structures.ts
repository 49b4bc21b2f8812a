// The data store the scenario uses and its data structure. Make does not create either on import,
// so the structure is shipped as a file (blueprints/data-structures/) in the shape Make's API
// (`POST /api/v2/data-structures`) takes, and the builder maps record fields by these names only:
// a typo fails to compile.

import type { MakeDataStructure } from './blueprint-types';

/** Where a booking is in its lifecycle (one record per Calendly scheduled event). */
export const BOOKING_STATUS = {
  active: 'active',
  /** Zoom's answer to a create was lost (timeout, 5xx): the next delivery looks for the meeting. */
  creating: 'creating',
  /** Reschedule "move" mode, cancel first: the old meeting waits here for the new booking. */
  pendingMove: 'pending_move',
  cancelled: 'cancelled',
  /** Replaced by a reschedule; `superseded_by` names the new scheduled event. */
  superseded: 'superseded',
  /** A cancellation arrived before any booking: a late create of that invitee makes nothing. */
  tombstone: 'tombstone',
  /** Zoom refused for good (no such host, bad input): `last_error` says why. Needs attention. */
  failed: 'failed',
} as const;

const BOOKING_FIELDS = [
  ['event_uri', 'text', 'Calendly scheduled event URI', true],
  ['status', 'text', Object.values(BOOKING_STATUS).join(', '), true],
  ['invitees', 'text', 'Invitees booked on the event: UUIDs between commas', false],
  [
    'canceled',
    'text',
    'Invitees who cancelled: UUIDs between commas (their late bookings are refused)',
    false,
  ],
  ['meeting_id', 'text', 'Zoom meeting id, kept as text: ids exceed 32 bits', false],
  ['join_url', 'text', 'Zoom join URL', false],
  ['zoom_user', 'text', 'Zoom user the meeting belongs to', false],
  ['start_time', 'text', 'Meeting start, UTC, as sent to Zoom', false],
  ['superseded_by', 'text', 'UUID of the scheduled event that replaced this one', false],
  [
    'moved_to',
    'text',
    'Reschedule "move" mode: UUID of the scheduled event the meeting moved to',
    false,
  ],
  [
    'claim_until',
    'number',
    'While creating: Unix seconds until which other deliveries wait',
    false,
  ],
  ['last_error', 'text', "Why the booking needs attention: Zoom's answer", false],
  ['updated_at', 'date', 'Last change', true],
  ['expires_at', 'number', 'Unix seconds after which the prune scenario deletes the record', true],
] as const;

export type BookingField = (typeof BOOKING_FIELDS)[number][0];
export const BOOKING_FIELD_NAMES: readonly BookingField[] = BOOKING_FIELDS.map(([name]) => name);

export const BOOKINGS_STRUCTURE: MakeDataStructure = {
  name: 'calendly-zoom-booking',
  // Strict: a record with a field the structure lacks is refused, so a module that picked the
  // wrong data store fails loudly instead of writing into it.
  strict: true,
  spec: BOOKING_FIELDS.map(([name, type, label, required]) => ({ name, type, label, required })),
};

/** The name the user gives the data store; data store modules are named after it. */
export const BOOKINGS_STORE_NAME = 'calendly-zoom-bookings';
export const BOOKINGS_MODULE = `Bookings (${BOOKINGS_STORE_NAME})`;

/** Written in the data structure file when no `--team-id` was given. */
export const PASTE_TEAM_ID = 'PASTE-YOUR-MAKE-TEAM-ID';

/** The data structure file: what `POST /api/v2/data-structures` takes, team included. */
export function dataStructureFile(
  structure: MakeDataStructure,
  teamId: number | undefined,
): Record<string, unknown> {
  return {
    name: structure.name,
    teamId: teamId ?? PASTE_TEAM_ID,
    strict: structure.strict,
    spec: structure.spec,
  };
}
