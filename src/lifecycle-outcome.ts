import type { BookingRecord, BookingStatus, StoredMeeting } from './store/booking-record';

export type OutcomeType =
  | 'created'
  | 'duplicate'
  | 'in_progress'
  | 'cancelled'
  | 'already_gone'
  | 'kept_for_other_invitees'
  | 'tombstoned'
  | 'superseded'
  | 'moved'
  | 'skipped_native_zoom'
  | 'ignored';

/** What a handled delivery did, with what downstream steps need (join link, meeting id …). */
export interface LifecycleOutcome {
  outcome: OutcomeType;
  /** One sentence for people: logs, Zapier output, CLI. */
  message: string;
  eventUuid: string;
  eventUri: string;
  inviteeUri: string;
  /** The booking's meeting, when it has one (or had one, for a cancellation). */
  meeting: StoredMeeting | null;
  status: BookingStatus | null;
  /**
   * Another worker is on this booking right now: the delivery should be answered "try again later"
   * (HTTP 503 / Zapier error) so that its redelivery confirms the work finished.
   */
  retryLater: boolean;
  /**
   * With `retryLater`: how long until the booking can be worked on again. The holder's lease runs
   * out then (a live holder usually finishes much sooner, so live leases are capped at 10 s).
   */
  retryAfterMs: number | null;
}

/** A holder that is alive finishes within its Zoom deadline; tell callers to come back soon. */
const LIVE_HOLDER_RETRY_MS = 10_000;

export function outcomeOf(
  outcome: OutcomeType,
  message: string,
  event: { eventUuid: string; eventUri: string; inviteeUri: string },
  record: BookingRecord | null,
  meeting: StoredMeeting | null = record?.meeting ?? null,
  now?: number,
): LifecycleOutcome {
  return {
    outcome,
    message,
    eventUuid: event.eventUuid,
    eventUri: event.eventUri,
    inviteeUri: event.inviteeUri,
    meeting,
    status: record?.status ?? null,
    retryLater: outcome === 'in_progress',
    retryAfterMs: outcome === 'in_progress' ? waitFor(record, now) : null,
  };
}

function waitFor(record: BookingRecord | null, now: number | undefined): number {
  const lease = record?.lease;
  if (!lease || now === undefined) return LIVE_HOLDER_RETRY_MS;
  const remaining = Math.max(1000, lease.expiresAt - now);
  // A settling create has no live holder: the wait is exactly what is left of it.
  return lease.settling ? remaining : Math.min(remaining, LIVE_HOLDER_RETRY_MS);
}
