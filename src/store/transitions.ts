import {
  AUDIT_LIMIT,
  activeInvitees,
  type AuditEntry,
  type AuditOutcome,
  type AuditVia,
  type BookingRecord,
  type StoredMeeting,
} from './booking-record';
import type {
  BeginCancelInput,
  CancelResult,
  ClaimCreateInput,
  ClaimResult,
  CommitCreateInput,
  CommitResult,
  ExpirePendingMoveInput,
  ExpireResult,
  FinishCancelInput,
  ForgetMeetingInput,
  ForgetResult,
  ReleaseLeaseInput,
  RescheduleMode,
} from './booking-store';
import type { BookingContext, DeletedReason, Notice, NoticeMeeting, NoticeType } from './outbox';

/**
 * The transition rules, as pure functions over a snapshot. The in-memory and SQLite adapters run
 * them inside one transaction; the Upstash adapter runs the same rules as Lua scripts
 * (scripts/*.lua), and one contract suite holds all adapters to the same behaviour.
 */
export interface Snapshot {
  record(eventUuid: string): BookingRecord | null;
  eventOfInvitee(inviteeUri: string): string | null;
}

export interface Writes {
  records: BookingRecord[];
  index: { inviteeUri: string; eventUuid: string }[];
  /** Written to the outbox in the same step (the adapter gives each its id and channels). */
  notices: NoticeDraft[];
}

export type NoticeDraft = Omit<Notice, 'id'>;

export interface Applied<R> {
  result: R;
  writes: Writes;
}

export function claimCreate(s: Snapshot, input: ClaimCreateInput): Applied<ClaimResult> {
  const { eventUuid, inviteeUri, now } = input;
  const writes: Writes = { records: [], index: [{ inviteeUri, eventUuid }], notices: [] };
  const existing = s.record(eventUuid);

  if (existing && existing.invitees[inviteeUri] === 'canceled') {
    // The late create of a cancelled invitee makes nothing. But if the booking's create or delete
    // was abandoned half-way (lease run out), this redelivery is what finishes the clean-up: the
    // cancellation itself was already acknowledged and will not come back.
    const unfinished =
      (existing.status === 'creating' && existing.cancelRequested !== null) ||
      existing.status === 'cancelling';
    if (!unfinished) {
      return (
        abandonMove(s, input) ?? {
          result: { type: 'refused', record: existing },
          writes: noWrites(),
        }
      );
    }
    // Not acknowledged until the clean-up is certain: if the holder died, this delivery's retry
    // takes over once the lease runs out.
    if (leaseLive(existing, now)) {
      return { result: { type: 'in_progress', record: existing }, writes: noWrites() };
    }
    const record = touch(existing, input, 'lease_taken_over', existing.lease?.owner);
    record.lease = { owner: input.owner, expiresAt: now + input.leaseMs };
    return { result: { type: 'recover', record }, writes: recordWrite(record) };
  }

  if (existing && existing.status === 'active') {
    const inviteeAdded = existing.invitees[inviteeUri] === undefined;
    // An invitee who joined while the meeting was being made has not been told of it yet.
    const untold = existing.announced ? !existing.announced.told.includes(inviteeUri) : false;
    if (!inviteeAdded && !untold) {
      return { result: { type: 'exists', record: existing, inviteeAdded }, writes };
    }
    const record = touch(
      existing,
      input,
      inviteeAdded ? 'invitee_joined' : 'invitee_told',
      inviteeUri,
    );
    record.invitees[inviteeUri] = 'active';
    settle(record, 'duplicate');
    if (record.announced) {
      writes.notices.push(
        draft('invitee.joined', record, input, { sequence: record.announced.sequence }),
      );
      record.announced.told.push(inviteeUri);
    }
    writes.records.push(record);
    return { result: { type: 'exists', record, inviteeAdded }, writes };
  }

  if (existing && existing.status === 'creating') {
    const record = touch(existing, input, 'invitee_joined', inviteeUri);
    record.invitees[inviteeUri] = 'active';
    // A live invitee means the meeting is wanted after all.
    record.cancelRequested = null;
    if (leaseLive(existing, now)) {
      writes.records.push(record);
      return { result: { type: 'in_progress', record }, writes };
    }
    record.lease = { owner: input.owner, expiresAt: now + input.leaseMs };
    appendAudit(record, input, 'lease_taken_over', existing.lease?.owner);
    writes.records.push(record);
    const type = existing.recoveryNeeded || existing.movingFrom ? 'recover' : 'claimed';
    // The new holder is about to call Zoom: if it dies too, its successor must search.
    record.recoveryNeeded = !record.movingFrom;
    return { result: { type, record }, writes };
  }

  // A cancellation is being carried out, or the meeting waits to be moved to the new booking of a
  // reschedule: let that finish first (the caller answers "try again later").
  if (existing && (existing.status === 'cancelling' || existing.pendingMove)) {
    return { result: { type: 'in_progress', record: existing }, writes: noWrites() };
  }

  // No record, or a finished one (cancelled / superseded / tombstone of another invitee): a new
  // meeting is needed for this invitee. In move mode the old booking's meeting may be taken over.
  const old = oldBooking(s, input);
  const moved = tryMove(input, old, existing, writes);
  if (moved) return moved;

  const record = existing
    ? touch(existing, input, 'reopened', inviteeUri)
    : newRecord(input.eventUuid, input.eventUri, input, 'claimed', modeFor(old, input));
  Object.assign(record, {
    status: 'creating',
    meeting: null,
    booking: input.context ?? record.booking ?? null,
    announced: null,
    startTime: input.startTime,
    durationMinutes: input.durationMinutes,
    lease: { owner: input.owner, expiresAt: now + input.leaseMs },
    recoveryNeeded: true,
    cancelRequested: null,
    pendingMove: false,
    movingFrom: null,
    replaces: input.reschedule?.oldInviteeUri ?? record.replaces,
  } satisfies Partial<BookingRecord>);
  record.invitees[inviteeUri] = 'active';
  writes.records.push(record);
  return { result: { type: 'claimed', record }, writes };
}

/** The booking this one replaces, when it is the new half of a reschedule and known. */
function oldBooking(s: Snapshot, input: ClaimCreateInput): BookingRecord | null {
  const oldInviteeUri = input.reschedule?.oldInviteeUri;
  const oldUuid = oldInviteeUri ? s.eventOfInvitee(oldInviteeUri) : null;
  return oldUuid ? s.record(oldUuid) : null;
}

/** A reschedule keeps the mode of the booking it replaces; the caller's setting is the fallback. */
function modeFor(old: BookingRecord | null, input: { rescheduleMode: RescheduleMode }) {
  return old?.rescheduleMode ?? input.rescheduleMode;
}

function tryMove(
  input: ClaimCreateInput,
  old: BookingRecord | null,
  existing: BookingRecord | null,
  writes: Writes,
): Applied<ClaimResult> | null {
  const oldInviteeUri = input.reschedule?.oldInviteeUri;
  if (!oldInviteeUri || !old || !old.meeting || modeFor(old, input) !== 'move') return null;
  if (old.status === 'creating' || old.status === 'cancelling') {
    // The old booking's own create or cancel is still running; its outcome decides what moves.
    return { result: { type: 'in_progress', record: old }, writes: noWrites() };
  }
  const others = activeInvitees(old).filter((uri) => uri !== oldInviteeUri);
  const movable =
    (old.status === 'active' && others.length === 0) ||
    (old.status === 'superseded' && old.pendingMove && old.supersededBy === input.inviteeUri);
  if (!movable) return null;

  const { now } = input;
  const from = touch(old, input, 'meeting_moved_out', input.inviteeUri);
  Object.assign(from, {
    status: 'superseded',
    supersededBy: input.inviteeUri,
    pendingMove: false,
    lease: null,
    // The meeting and what its people were told of it go with it to the new booking.
    announced: null,
  } satisfies Partial<BookingRecord>);
  from.invitees[oldInviteeUri] = 'canceled';

  const record = existing
    ? touch(existing, input, 'reopened', input.inviteeUri)
    : newRecord(input.eventUuid, input.eventUri, input, 'claimed', modeFor(old, input));
  Object.assign(record, {
    status: 'creating',
    meeting: old.meeting,
    booking: input.context ?? record.booking ?? null,
    announced: old.announced ?? null,
    startTime: input.startTime,
    durationMinutes: input.durationMinutes,
    lease: { owner: input.owner, expiresAt: now + input.leaseMs },
    // A PATCH is idempotent: whoever takes over just redoes it, no marker search needed.
    recoveryNeeded: false,
    cancelRequested: null,
    pendingMove: false,
    movingFrom: old.eventUuid,
    replaces: oldInviteeUri,
  } satisfies Partial<BookingRecord>);
  appendAudit(record, input, 'meeting_moved_in', old.eventUuid);
  record.invitees[input.inviteeUri] = 'active';
  writes.records.push(from, record);
  return { result: { type: 'move', record, from }, writes };
}

/**
 * Move mode: the old booking kept its meeting for this (new) one, but this one was cancelled before
 * it was ever created. Nothing will take the meeting over, so the caller deletes it.
 */
function abandonMove(s: Snapshot, input: ClaimCreateInput): Applied<ClaimResult> | null {
  const oldInviteeUri = input.reschedule?.oldInviteeUri;
  const oldUuid = oldInviteeUri ? s.eventOfInvitee(oldInviteeUri) : null;
  const old = oldUuid ? s.record(oldUuid) : null;
  if (!old || old.supersededBy !== input.inviteeUri) return null;
  const waiting = old.status === 'superseded' && old.pendingMove;
  const stalled = old.status === 'cancelling' && old.cancelRequested === 'superseded';
  if (!waiting && !stalled) return null;
  const existing = s.record(input.eventUuid);
  if (!existing) return null;
  if (stalled && leaseLive(old, input.now)) {
    return { result: { type: 'in_progress', record: existing }, writes: noWrites() };
  }
  const from = giveUpMove(old, input, 'move_abandoned', input.inviteeUri);
  return { result: { type: 'abandon_move', record: existing, from }, writes: recordWrite(from) };
}

export function commitCreate(s: Snapshot, input: CommitCreateInput): Applied<CommitResult> {
  const { now, meeting } = input;
  const existing = s.record(input.eventUuid);
  const none = noWrites();
  if (!existing) return { result: { type: 'lost', record: null }, writes: none };

  if (existing.status === 'active') {
    // Whoever took over found our meeting by its marker and committed it: same meeting, done.
    const type = existing.meeting?.id === meeting.id ? 'committed' : 'lost';
    return { result: { type, record: existing }, writes: none };
  }
  if (existing.status !== 'creating') {
    return { result: { type: 'lost', record: existing }, writes: none };
  }
  // Committed whoever holds the lease now: a worker that took over will find this meeting by its
  // marker, or lose its own commit and delete its own meeting. Either way one meeting survives.
  const record = touch(existing, input, 'meeting_created', meeting.id);
  record.meeting = meeting;
  record.movingFrom = null;
  record.booking = input.context ?? record.booking ?? null;
  if (record.cancelRequested) {
    record.status = 'cancelling';
    record.lease = { owner: input.owner, expiresAt: existing.lease?.expiresAt ?? now };
    return { result: { type: 'cancel_requested', record }, writes: recordWrite(record) };
  }
  record.status = 'active';
  record.lease = null;
  record.recoveryNeeded = false;
  record.attention = null;
  const writes = recordWrite(record);
  const moved = existing.movingFrom !== null && existing.meeting?.id === meeting.id;
  const from = moved && existing.movingFrom ? s.record(existing.movingFrom) : null;
  const sequence = moved ? (existing.announced?.sequence ?? 0) + 1 : 0;
  settle(record, moved ? 'moved' : 'created');
  const told = record.booking ? [record.booking.inviteeUri] : [];
  writes.notices.push(
    draft(moved ? 'meeting.moved' : 'meeting.created', record, input, {
      sequence,
      previous:
        from?.startTime && from.durationMinutes !== null
          ? { startTime: from.startTime, durationMinutes: from.durationMinutes }
          : null,
    }),
  );
  record.announced = { meetingId: meeting.id, sequence, told };
  return { result: { type: 'committed', record }, writes };
}

export function beginCancel(s: Snapshot, input: BeginCancelInput): Applied<CancelResult> {
  const { eventUuid, inviteeUri, now } = input;
  const writes: Writes = { records: [], index: [{ inviteeUri, eventUuid }], notices: [] };
  const existing = s.record(eventUuid);

  if (!existing) {
    const record = newRecord(eventUuid, input.eventUri, input, 'tombstoned', input.rescheduleMode);
    record.status = 'tombstoned';
    record.invitees[inviteeUri] = 'canceled';
    record.supersededBy = input.supersededBy;
    settle(record, 'tombstoned');
    writes.records.push(record);
    return { result: { type: 'tombstoned', record }, writes };
  }

  const alreadyCanceled = existing.invitees[inviteeUri] === 'canceled';
  const record = touch(existing, input, 'invitee_canceled', inviteeUri);
  record.invitees[inviteeUri] = 'canceled';
  if (input.supersededBy && activeInvitees(record).length === 0) {
    record.supersededBy = input.supersededBy;
  }
  const takeLease = (): void => {
    appendAudit(record, input, 'lease_taken_over', existing.lease?.owner);
    record.lease = { owner: input.owner, expiresAt: now + input.leaseMs };
  };

  switch (existing.status) {
    case 'tombstoned':
      if (alreadyCanceled)
        return { result: { type: 'done', record: existing }, writes: noWrites() };
      settle(record, 'tombstoned');
      writes.records.push(record);
      return { result: { type: 'tombstoned', record }, writes };
    case 'cancelled':
    case 'superseded':
      if (alreadyCanceled)
        return { result: { type: 'done', record: existing }, writes: noWrites() };
      settle(record, 'duplicate');
      writes.records.push(record);
      return { result: { type: 'done', record }, writes };
    case 'cancelling':
      if (leaseLive(existing, now)) {
        if (alreadyCanceled) {
          return { result: { type: 'in_progress', record: existing }, writes: noWrites() };
        }
        writes.records.push(record);
        return { result: { type: 'in_progress', record }, writes };
      }
      takeLease();
      writes.records.push(record);
      return { result: { type: 'delete', record }, writes };
    case 'creating': {
      if (activeInvitees(record).length > 0) {
        settle(record, 'kept_for_other_invitees');
        writes.records.push(record);
        return { result: { type: 'kept', record }, writes };
      }
      record.cancelRequested = input.finalStatus;
      if (leaseLive(existing, now)) {
        writes.records.push(record);
        // A live creator deletes what it makes. A settling create has nobody to: this delivery is
        // not acknowledged until it can clean up itself, once Zoom could have finished.
        const type = existing.lease?.settling ? 'in_progress' : 'deferred';
        if (type === 'deferred') settle(record, input.finalStatus);
        return { result: { type, record }, writes };
      }
      takeLease();
      writes.records.push(record);
      return { result: { type: 'recover', record }, writes };
    }
    case 'active': {
      if (activeInvitees(record).length > 0) {
        // Only this invitee's calendar entry goes; the others keep the meeting.
        if (record.announced?.told.includes(inviteeUri)) {
          writes.notices.push(
            draft('invitee.left', record, input, {
              sequence: record.announced.sequence + 1,
              reason: input.finalStatus,
            }),
          );
          record.announced.told = record.announced.told.filter((uri) => uri !== inviteeUri);
        }
        settle(record, 'kept_for_other_invitees');
        writes.records.push(record);
        return { result: { type: 'kept', record }, writes };
      }
      // Only for a named new booking: nothing else could ever take the meeting over.
      if (
        input.finalStatus === 'superseded' &&
        modeFor(existing, input) === 'move' &&
        input.supersededBy &&
        record.meeting &&
        !knownElsewhere(s, input.supersededBy)
      ) {
        record.status = 'superseded';
        record.pendingMove = true;
        settle(record, 'superseded');
        writes.records.push(record);
        return { result: { type: 'kept_for_move', record }, writes };
      }
      record.status = 'cancelling';
      record.cancelRequested = input.finalStatus;
      record.lease = { owner: input.owner, expiresAt: now + input.leaseMs };
      writes.records.push(record);
      return { result: { type: 'delete', record }, writes };
    }
  }
}

export function finishCancel(s: Snapshot, input: FinishCancelInput): Applied<BookingRecord | null> {
  const existing = s.record(input.eventUuid);
  if (!existing || (existing.status !== 'cancelling' && existing.status !== 'creating')) {
    return { result: existing, writes: noWrites() };
  }
  if (existing.status === 'creating' && !existing.cancelRequested) {
    // An invitee joined the group event while we cleaned up: it still wants a meeting, and its
    // own delivery (answered "in progress") will come back to create one.
    const record = touch(existing, input, 'cleanup_done', input.zoomResult);
    Object.assign(record, { lease: null, recoveryNeeded: false, meeting: null, movingFrom: null });
    return { result: record, writes: recordWrite(record) };
  }
  const record = touch(existing, input, 'meeting_deleted', input.zoomResult);
  record.status = existing.cancelRequested ?? 'cancelled';
  record.cancelRequested = null;
  record.lease = null;
  record.recoveryNeeded = false;
  record.movingFrom = null;
  record.pendingMove = false;
  if (record.meeting) record.meeting = { ...record.meeting, startUrl: null };
  settle(
    record,
    record.status === 'superseded'
      ? 'superseded'
      : input.zoomResult === 'already_gone'
        ? 'already_gone'
        : 'cancelled',
  );
  const writes = recordWrite(record);
  announceGone(
    writes,
    existing,
    record,
    input,
    input.reason ?? (record.status === 'superseded' ? 'superseded' : 'cancelled'),
  );
  record.announced = null;
  return { result: record, writes };
}

export function releaseLease(s: Snapshot, input: ReleaseLeaseInput): Applied<void> {
  const existing = s.record(input.eventUuid);
  if (
    !existing ||
    existing.lease?.owner !== input.owner ||
    (existing.status !== 'creating' && existing.status !== 'cancelling')
  ) {
    return { result: undefined, writes: noWrites() };
  }
  const record = touch(existing, input, 'lease_released', input.attention?.reason);
  // An unsettled create keeps the booking held (by nobody alive) until Zoom could have finished.
  record.lease = input.settleUntil
    ? { owner: input.owner, expiresAt: input.settleUntil, settling: true }
    : null;
  if (record.status === 'creating' && !record.movingFrom) {
    record.recoveryNeeded = !input.certainNoMeeting;
  }
  settle(record, input.attention ? 'needs_attention' : 'failed');
  const writes = recordWrite(record);
  if (input.attention) {
    const same = existing.attention?.reason === input.attention.reason;
    record.attention = {
      ...input.attention,
      at: same ? (existing.attention?.at ?? input.now) : input.now,
    };
    // Once per cause: Calendly's retries of the same failure for a day announce nothing new.
    if (!same)
      writes.notices.push(
        draft('booking.needs_attention', record, input, {
          meeting: null,
          attention: record.attention,
        }),
      );
  }
  return { result: undefined, writes };
}

export function forgetMeeting(s: Snapshot, input: ForgetMeetingInput): Applied<ForgetResult> {
  const existing = s.record(input.eventUuid);
  if (!existing || existing.status !== 'active' || existing.meeting?.id !== input.meetingId) {
    return { result: { type: 'unchanged', record: existing }, writes: noWrites() };
  }
  const record = touch(existing, input, 'meeting_forgotten', input.meetingId);
  const writes = recordWrite(record);
  announceGone(writes, existing, record, input, 'deleted_in_zoom');
  Object.assign(record, {
    status: 'creating',
    meeting: null,
    announced: null,
    booking: input.context ?? record.booking ?? null,
    lease: { owner: input.owner, expiresAt: input.now + input.leaseMs },
    // The meeting is known to be gone: nothing to search for before making a new one.
    recoveryNeeded: false,
    cancelRequested: null,
    movingFrom: null,
  } satisfies Partial<BookingRecord>);
  return { result: { type: 'claimed', record }, writes };
}

export function expirePendingMove(
  s: Snapshot,
  input: ExpirePendingMoveInput,
): Applied<ExpireResult> {
  const existing = s.record(input.eventUuid);
  if (
    !existing ||
    existing.status !== 'superseded' ||
    !existing.pendingMove ||
    existing.updatedAt > input.waitingSince
  ) {
    return { result: { type: 'unchanged', record: existing }, writes: noWrites() };
  }
  const record = giveUpMove(existing, input, 'move_expired', existing.supersededBy ?? undefined);
  return { result: { type: 'delete', record }, writes: recordWrite(record) };
}

/**
 * A meeting kept for a move that will not happen: the old booking, held by the caller, goes to
 * `cancelling` so its meeting is deleted and the booking finished as superseded.
 */
function giveUpMove(
  old: BookingRecord,
  input: AuditInput & { owner: string; leaseMs: number },
  action: string,
  detail: string | undefined,
): BookingRecord {
  const record = touch(old, input, action, detail);
  Object.assign(record, {
    status: 'cancelling',
    pendingMove: false,
    cancelRequested: 'superseded',
    lease: { owner: input.owner, expiresAt: input.now + input.leaseMs },
  } satisfies Partial<BookingRecord>);
  return record;
}

/**
 * The new half of a reschedule already has a booking of its own (it was created, or cancelled,
 * before this cancellation arrived without moving our meeting): nothing would take the meeting over.
 */
function knownElsewhere(s: Snapshot, inviteeUri: string | null): boolean {
  const eventUuid = inviteeUri ? s.eventOfInvitee(inviteeUri) : null;
  return eventUuid !== null && s.record(eventUuid) !== null;
}

function leaseLive(record: BookingRecord, now: number): boolean {
  return record.lease !== null && record.lease.expiresAt > now;
}

function noWrites(): Writes {
  return { records: [], index: [], notices: [] };
}

function recordWrite(record: BookingRecord): Writes {
  return { records: [record], index: [], notices: [] };
}

/**
 * A notice about `record`, described by the delivery at hand or, for work no delivery asked for
 * (reconcile, expiry), by what the record keeps of the booking.
 */
function draft(
  type: NoticeType,
  record: BookingRecord,
  input: { now: number; context?: BookingContext | null },
  extra: Partial<NoticeDraft>,
): NoticeDraft {
  return {
    type,
    occurredAt: input.now,
    booking: input.context ?? record.booking ?? legacyContext(record),
    meeting: noticeMeeting(record.meeting),
    previous: null,
    reason: null,
    attention: null,
    sequence: 0,
    ...extra,
  };
}

/** Only a meeting its people were told of (`existing.announced`) is announced as gone. */
function announceGone(
  writes: Writes,
  existing: BookingRecord,
  record: BookingRecord,
  input: { now: number; context?: BookingContext | null },
  reason: DeletedReason,
): void {
  if (!existing.announced) return;
  writes.notices.push(
    draft('meeting.deleted', record, input, { sequence: existing.announced.sequence + 1, reason }),
  );
}

/** The start URL is a host secret: it never goes into a notice. */
function noticeMeeting(meeting: StoredMeeting | null): NoticeMeeting | null {
  return meeting
    ? { id: meeting.id, joinUrl: meeting.joinUrl, password: meeting.password, host: meeting.host }
    : null;
}

function firstOf(uris: string[]): string | undefined {
  return uris.sort()[0];
}

/** Records written before bookings were described know only their URIs and times. */
function legacyContext(record: BookingRecord): BookingContext {
  const start = record.startTime ?? '';
  return {
    eventUri: record.eventUri,
    eventUuid: record.eventUuid,
    // The first by sort order: a JSON object's key order does not survive every store.
    inviteeUri: firstOf(activeInvitees(record)) ?? firstOf(Object.keys(record.invitees)) ?? '',
    eventName: '',
    hostEmail: record.meeting?.host ?? null,
    invitee: { name: '', email: '', timezone: null },
    startTime: start,
    endTime: start,
  };
}

function newRecord(
  eventUuid: string,
  eventUri: string,
  input: AuditInput,
  action: string,
  rescheduleMode: RescheduleMode,
): BookingRecord {
  const { now } = input;
  return {
    eventUuid,
    eventUri,
    status: 'creating',
    meeting: null,
    startTime: null,
    durationMinutes: null,
    invitees: {},
    replaces: null,
    supersededBy: null,
    lease: null,
    recoveryNeeded: false,
    cancelRequested: null,
    pendingMove: false,
    movingFrom: null,
    rescheduleMode,
    booking: null,
    announced: null,
    attention: null,
    createdAt: now,
    updatedAt: now,
    audit: [auditEntry(input, action)],
  };
}

/** What a transition's audit entries are made of: its clock, and the delivery behind it. */
type AuditInput = { now: number; via?: AuditVia };

/** A copy to change, never the snapshot's own object: a failed transaction must leave no trace. */
function touch(
  record: BookingRecord,
  input: AuditInput,
  action: string,
  detail?: string,
): BookingRecord {
  const copy: BookingRecord = structuredClone(record);
  copy.updatedAt = input.now;
  appendAudit(copy, input, action, detail);
  return copy;
}

function auditEntry(input: AuditInput, action: string, detail?: string): AuditEntry {
  const entry: AuditEntry = { at: input.now, action };
  if (detail !== undefined) entry.detail = detail;
  if (input.via) entry.via = input.via;
  return entry;
}

function appendAudit(
  record: BookingRecord,
  input: AuditInput,
  action: string,
  detail?: string,
): void {
  record.audit.push(auditEntry(input, action, detail));
  if (record.audit.length > AUDIT_LIMIT) record.audit.splice(0, record.audit.length - AUDIT_LIMIT);
}

/**
 * Marks the latest entry as the one that settled its delivery, with the outcome the caller
 * reports for it: the booking's history then reads as deliveries and what became of each.
 */
function settle(record: BookingRecord, outcome: AuditOutcome): void {
  const last = record.audit[record.audit.length - 1];
  if (last) last.outcome = outcome;
}
