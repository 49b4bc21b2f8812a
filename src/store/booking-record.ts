import type { Attention, BookingContext } from './outbox';

/**
 * One record per Calendly scheduled event (key: its UUID): the Zoom meeting made for it, who is
 * booked on it, and where it is in its lifecycle. Stored as one JSON document by every adapter so
 * the transition rules (transitions.ts, scripts/*.lua) read and write the same shape.
 */
export type BookingStatus =
  'creating' | 'active' | 'cancelling' | 'cancelled' | 'superseded' | 'tombstoned';

export type InviteeState = 'active' | 'canceled';

export interface StoredMeeting {
  /** A string: Zoom meeting ids exceed 32 bits and must never round-trip through a number. */
  id: string;
  joinUrl: string;
  /** Host secret. Stored because downstream steps need it; never logged. */
  startUrl: string | null;
  password: string | null;
  host: string;
}

/** The Calendly delivery that asked for a change; absent when none did (reconcile, expiry). */
export type AuditVia = 'invitee.created' | 'invitee.canceled';

/**
 * How the delivery behind a change ended, on the entry of the change that settled it: the
 * lifecycle's outcome, or `needs_attention` (a person must fix something) and `failed` (answered
 * "try again later"; Calendly redelivers). Entries of changes that settle nothing have none.
 */
export type AuditOutcome =
  | 'created'
  | 'moved'
  | 'duplicate'
  | 'cancelled'
  | 'already_gone'
  | 'kept_for_other_invitees'
  | 'tombstoned'
  | 'superseded'
  | 'needs_attention'
  | 'failed';

/** One change to a booking, written in the same atomic step as the change itself. */
export interface AuditEntry {
  at: number;
  action: string;
  detail?: string;
  via?: AuditVia;
  outcome?: AuditOutcome;
}

/** The meeting the booking's people were told of (see outbox.ts), and who of them was told. */
export interface Announced {
  meetingId: string;
  /** iCalendar SEQUENCE of the meeting's calendar entry as last announced. */
  sequence: number;
  /** Invitee URIs that were told (by email) of this meeting. */
  told: string[];
}

export interface BookingRecord {
  eventUuid: string;
  eventUri: string;
  status: BookingStatus;
  meeting: StoredMeeting | null;
  /** ISO 8601 UTC start and duration of the booking the meeting was made for. */
  startTime: string | null;
  durationMinutes: number | null;
  /** Invitee URI -> state. Several entries for a group event. */
  invitees: Record<string, InviteeState>;
  /** Reschedule links: the invitee URI this booking replaced / was replaced by. */
  replaces: string | null;
  supersededBy: string | null;
  /**
   * While `creating` or `cancelling`: who holds the work and until when (ms since epoch). Another
   * worker may take over after `expiresAt`, e.g. when the holder crashed.
   */
  lease: {
    owner: string;
    expiresAt: number;
    /** Nobody works on it: a create whose outcome is unknown is left for Zoom to finish. */
    settling?: boolean;
  } | null;
  /**
   * `creating` only: the holder may have reached Zoom, so whoever takes over must first search for
   * the marker instead of creating a second meeting. False after a release that is certain no
   * meeting was made (Zoom refused the create).
   */
  recoveryNeeded: boolean;
  /**
   * `creating` only: every invitee cancelled while the meeting was being made. The creator (or
   * whoever takes over) deletes what was made and finishes the cancellation with this status.
   */
  cancelRequested: 'cancelled' | 'superseded' | null;
  /**
   * `superseded` in move mode, cancel first: the meeting is kept alive for the new booking to take
   * over; the new booking's create moves it instead of making another.
   */
  pendingMove: boolean;
  /** Creating by moving the meeting of this (old) event, in move mode. */
  movingFrom: string | null;
  /**
   * How a reschedule of this booking is handled, fixed when the record is first made (see
   * ClaimCreateInput.rescheduleMode). Absent on records written before it existed.
   */
  rescheduleMode?: 'recreate' | 'move';
  /**
   * What the latest delivery that made (or remade) the meeting said about the booking: invitee,
   * event name, host, times. Notices and operators read it; absent on records written before.
   */
  booking?: BookingContext | null;
  /** The meeting as announced to notification consumers and invitees; null until committed. */
  announced?: Announced | null;
  /** Why the engine could not serve the booking, until it can. */
  attention?: Attention | null;
  createdAt: number;
  updatedAt: number;
  /** Bounded (AUDIT_LIMIT most recent) trail of transitions. */
  audit: AuditEntry[];
}

export const AUDIT_LIMIT = 20;

/** A record with no live Zoom meeting attached that may be dropped after the retention period. */
export function isFinished(record: BookingRecord): boolean {
  return (
    (record.status === 'cancelled' ||
      record.status === 'superseded' ||
      record.status === 'tombstoned') &&
    !record.pendingMove
  );
}

/** The record's meeting, while the record still holds it (not finished): no ghost, not free. */
export function heldMeeting(record: BookingRecord): StoredMeeting | null {
  return isFinished(record) ? null : record.meeting;
}

export function activeInvitees(record: BookingRecord): string[] {
  return Object.entries(record.invitees)
    .filter(([, state]) => state === 'active')
    .map(([uri]) => uri);
}
