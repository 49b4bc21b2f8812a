import type { AuditVia, BookingRecord, StoredMeeting } from './booking-record';
import type { AttentionReason, BookingContext, DeletedReason, NotificationOutbox } from './outbox';

/**
 * The booking store port. Every method that changes state is ONE atomic call (a Lua script on
 * Upstash, a transaction on SQLite): the lifecycle never reads, decides and writes in separate
 * steps, so two deliveries racing on one booking cannot both act.
 */
export interface BookingStore {
  get(eventUuid: string): Promise<BookingRecord | null>;
  /** Via the invitee URI -> event UUID index (reschedules name the other invitee, not its event). */
  findByInvitee(inviteeUri: string): Promise<BookingRecord | null>;
  claimCreate(input: ClaimCreateInput): Promise<ClaimResult>;
  commitCreate(input: CommitCreateInput): Promise<CommitResult>;
  beginCancel(input: BeginCancelInput): Promise<CancelResult>;
  finishCancel(input: FinishCancelInput): Promise<BookingRecord | null>;
  releaseLease(input: ReleaseLeaseInput): Promise<void>;
  /**
   * Reconcile found the recorded meeting deleted in Zoom by hand: the booking goes back to
   * `creating`, held by the caller, who makes a new meeting and commits it.
   */
  forgetMeeting(input: ForgetMeetingInput): Promise<ForgetResult>;
  /**
   * A meeting kept for a reschedule (move mode) whose new booking never came: once it has waited
   * long enough, the caller holds it to delete it, then finishCancel.
   */
  expirePendingMove(input: ExpirePendingMoveInput): Promise<ExpireResult>;
  /** Every record, for reconciliation and tests. Order unspecified. */
  list(): AsyncIterable<BookingRecord>;
  /** Throws StoreError when the store cannot be reached (health checks). */
  ping(): Promise<void>;
  /**
   * A harmless write (nothing a booking reads): throws StoreError when the store can be read but
   * not written — disk full, read-only file, a lock held too long.
   */
  probe(): Promise<void>;
  /** Notices written by the transitions, for the dispatcher. */
  readonly outbox: NotificationOutbox;
  close(): Promise<void>;
}

/** Where the store sends notices; none when notifications are off. */
export interface StoreNotifyOptions {
  channels: readonly string[];
}

interface LeaseInput {
  eventUuid: string;
  /** Unique per attempt (not per process): a retry of the same delivery is another owner. */
  owner: string;
  now: number;
  /**
   * What the delivery at hand says about the booking: recorded with the meeting and put into the
   * notices this step writes. Absent (tools, tests): the record's own is used.
   */
  context?: BookingContext | null;
  /** The delivery asking for the change, for the booking's history (audit trail). */
  via?: AuditVia;
}

export interface ClaimCreateInput extends LeaseInput {
  eventUri: string;
  inviteeUri: string;
  leaseMs: number;
  startTime: string;
  durationMinutes: number;
  /** Set when this booking is the new half of a reschedule. */
  reschedule: { oldInviteeUri: string } | null;
  /**
   * The caller's reschedule setting. Recorded on the booking when its record is first made (the
   * new half of a reschedule inherits the old booking's), and every later decision follows the
   * recorded mode: two callers with different settings (two Zaps) cannot disagree.
   */
  rescheduleMode: RescheduleMode;
}

export type RescheduleMode = 'recreate' | 'move';

export type ClaimResult =
  /** Ours to create. */
  | { type: 'claimed'; record: BookingRecord }
  /**
   * Ours, taken over from a holder whose lease ran out: it may have reached Zoom, so search for the
   * marker (or redo the move) before creating anything.
   */
  | { type: 'recover'; record: BookingRecord }
  /** Move mode: ours, with the old booking's meeting handed over; PATCH it to the new time. */
  | { type: 'move'; record: BookingRecord; from: BookingRecord }
  /** A meeting exists already. `inviteeAdded`: this invitee joined a group event. */
  | { type: 'exists'; record: BookingRecord; inviteeAdded: boolean }
  /** Someone else holds a live lease on this booking (or the old half of its reschedule). */
  | { type: 'in_progress'; record: BookingRecord }
  /**
   * Move mode: this booking was cancelled before it was created, so the old booking's meeting that
   * waited for it has no taker. Ours to delete: `from.meeting`, then finishCancel on `from`.
   */
  | { type: 'abandon_move'; record: BookingRecord; from: BookingRecord }
  /** This invitee was cancelled before (tombstone): the late create must not make a meeting. */
  | { type: 'refused'; record: BookingRecord };

export interface CommitCreateInput extends LeaseInput {
  meeting: StoredMeeting;
}

export type CommitResult =
  | { type: 'committed'; record: BookingRecord }
  /** Every invitee cancelled meanwhile: delete the meeting, then finishCancel. */
  | { type: 'cancel_requested'; record: BookingRecord }
  /** Another worker's meeting is the booking's (or the booking is gone): delete ours. */
  | { type: 'lost'; record: BookingRecord | null };

export interface BeginCancelInput extends LeaseInput {
  eventUri: string;
  inviteeUri: string;
  leaseMs: number;
  /** `superseded` when the cancellation is the old half of a reschedule. */
  finalStatus: 'cancelled' | 'superseded';
  supersededBy: string | null;
  /**
   * The caller's reschedule setting, used only for a booking that has none recorded. When the
   * booking's mode is `move`, a reschedule keeps the meeting alive for the new booking.
   */
  rescheduleMode: RescheduleMode;
}

export type CancelResult =
  /** Ours to delete `record.meeting` in Zoom, then finishCancel. */
  | { type: 'delete'; record: BookingRecord }
  /**
   * A create was under way and its holder is gone: search for its meeting (marker, or the moved
   * meeting), delete it, then finishCancel.
   */
  | { type: 'recover'; record: BookingRecord }
  /** The creator still holds its lease and will delete what it makes. */
  | { type: 'deferred'; record: BookingRecord }
  /** Other invitees of this group event are still booked. */
  | { type: 'kept'; record: BookingRecord }
  /** Move mode: meeting kept for the new booking. */
  | { type: 'kept_for_move'; record: BookingRecord }
  /** No booking known: a tombstone now refuses a late create. */
  | { type: 'tombstoned'; record: BookingRecord }
  /** Already cancelled before (duplicate delivery). */
  | { type: 'done'; record: BookingRecord }
  /** Another worker is deleting it right now. */
  | { type: 'in_progress'; record: BookingRecord };

/** `eventUuid` is the booking being finished, which may be the old half of a reschedule. */
export interface FinishCancelInput extends LeaseInput, FinishCancelReason {
  /** What Zoom said, for the audit trail. */
  zoomResult: 'deleted' | 'already_gone' | 'no_meeting';
}

export interface ReleaseLeaseInput extends LeaseInput {
  /** Zoom refused the create outright, so no meeting can exist: no marker search next time. */
  certainNoMeeting: boolean;
  /**
   * The create's outcome is unknown (timeout, connection lost after sending): Zoom may still make
   * the meeting. The booking stays held until then, so that whoever takes over searches for the
   * marker only once Zoom could have finished.
   */
  settleUntil?: number | null;
  /** The engine cannot serve the booking until someone fixes this; a notice says so once. */
  attention?: { reason: AttentionReason; message: string } | null;
}

export interface FinishCancelReason {
  /** Why the meeting went, for the notice (default: the booking's final status). */
  reason?: DeletedReason;
}

export interface ForgetMeetingInput extends LeaseInput {
  leaseMs: number;
  /** Forgotten only if it is still the recorded meeting. */
  meetingId: string;
}

export type ForgetResult =
  | { type: 'claimed'; record: BookingRecord }
  /** The booking changed meanwhile (or is unknown): nothing done. */
  | { type: 'unchanged'; record: BookingRecord | null };

export interface ExpirePendingMoveInput extends LeaseInput {
  leaseMs: number;
  /** Expired only if the meeting has waited since at least this instant (ms since epoch). */
  waitingSince: number;
}

export type ExpireResult =
  /** Ours to delete `record.meeting`, then finishCancel. */
  { type: 'delete'; record: BookingRecord } | { type: 'unchanged'; record: BookingRecord | null };
