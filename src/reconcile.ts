import { randomUUID } from 'node:crypto';
import type { CalendlyClient, InviteeSummary, ScheduledEventSummary } from './calendly/client';
import { apiUrlOf } from './calendly/calendly-uri';
import {
  parseInviteeEvent,
  type InviteeEvent,
  type InviteeEventKind,
} from './calendly/invitee-event';
import { CalendlyZoomError } from './errors';
import {
  handleInviteeEvent,
  leaseOn,
  meetingMarker,
  type LifecycleConfig,
  type LifecycleDeps,
} from './lifecycle';
import type { OutcomeType } from './lifecycle-outcome';
import {
  heldMeeting,
  isFinished,
  type BookingRecord,
  type BookingStatus,
  type StoredMeeting,
} from './store/booking-record';
import type { BookingStore } from './store/booking-store';
import { ZoomApiError } from './zoom/errors';
import type { ZoomMeetings } from './zoom/types';

/**
 * Reconciliation heals what webhooks missed (receiver down, subscription disabled): it compares
 * Calendly's scheduled events with the store and with Zoom, and fixes what differs through the
 * same lifecycle a delivery runs, so a fix and a late delivery of the same event cannot clash.
 */
export type DiscrepancyKind = 'missing_meeting' | 'ghost_meeting' | 'stale_record';

/** What --apply does about a finding. `manual`: nothing safe can be done automatically. */
export type FixKind =
  | 'create_meeting'
  | 'cancel_booking'
  | 'sync_invitees'
  | 'adopt_meeting'
  | 'delete_meeting'
  | 'replace_meeting'
  | 'manual';

type FixAction =
  /** Synthesised deliveries through the lifecycle; cancellations first. */
  | { type: 'lifecycle'; events: InviteeEvent[]; expect: 'active' | 'finished' }
  /** Record a meeting that exists in Zoom (found by its marker) but not in the store. */
  | { type: 'adopt'; event: InviteeEvent; meeting: StoredMeeting; then: InviteeEvent[] }
  /** A live meeting for a cancelled booking that the lifecycle will not touch again. */
  | { type: 'delete_meeting'; meetingId: string; tombstone: InviteeEvent | null }
  /** The recorded meeting was deleted in Zoom by hand: forget it, then create afresh. */
  | { type: 'replace'; meetingId: string; event: InviteeEvent }
  | { type: 'manual' };

export interface Finding {
  eventUuid: string;
  eventUri: string;
  eventName: string;
  startTime: string;
  /** Calendly's status of the scheduled event. */
  bookingStatus: string;
  recordStatus: BookingStatus | null;
  /** The Zoom meeting concerned, when there is one. */
  meetingId: string | null;
  kinds: DiscrepancyKind[];
  /** One sentence: what is wrong. */
  problem: string;
  fix: FixKind;
  /** One sentence: what --apply does, or what a person has to do. */
  fixDescription: string;
  action: FixAction;
}

export interface ReconcileWindow {
  /** ISO 8601: scheduled events starting from … */
  since: string;
  /** … up to this instant. */
  until: string;
}

export interface ReconciliationPlan {
  window: ReconcileWindow;
  /** Scheduled events Calendly listed in the window. */
  checked: number;
  /** Events in agreement everywhere. */
  consistent: number;
  skipped: {
    /** Calendly's own Zoom meeting, left alone as the lifecycle leaves it (NATIVE_ZOOM=skip). */
    nativeZoom: number;
    /** A delivery is working on the booking right now. */
    inProgress: number;
    /** An active booking that has ended: a meeting now would help nobody. */
    over: number;
  };
  findings: Finding[];
}

export interface ReconcileDeps {
  calendly: Pick<CalendlyClient, 'listScheduledEvents' | 'listEventInvitees'>;
  store: BookingStore;
  zoom: ZoomMeetings;
  config: Pick<LifecycleConfig, 'nativeZoom' | 'defaultHost'>;
  now: () => number;
}

/** Whose events to list: the organisation's (admin token) or one user's. */
export type ReconcileScope = { organization: string } | { user: string };

export type Progress = (done: number, total: number) => void;

/** Calendly's data for a booking could not be turned into an invitee event. */
export class ReconcileError extends CalendlyZoomError {
  readonly kind = 'reconcile';
}

/** Compares Calendly, the store and Zoom over the window; changes nothing. */
export async function planReconciliation(
  deps: ReconcileDeps,
  scope: ReconcileScope,
  window: ReconcileWindow,
  onProgress: Progress = () => {},
): Promise<ReconciliationPlan> {
  const query = { ...scope, minStartTime: window.since, maxStartTime: window.until };
  // Two listings rather than one without a status: both kinds are wanted whatever the default.
  const listed = [
    ...(await deps.calendly.listScheduledEvents({ ...query, status: 'active' })),
    ...(await deps.calendly.listScheduledEvents({ ...query, status: 'canceled' })),
  ];
  const events = [...new Map(listed.map((e) => [e.uri, e])).values()].sort((a, b) =>
    a.startTime.localeCompare(b.startTime),
  );
  const plan: ReconciliationPlan = {
    window,
    checked: events.length,
    consistent: 0,
    skipped: { nativeZoom: 0, inProgress: 0, over: 0 },
    findings: [],
  };
  const examiner = new Examiner(deps);
  onProgress(0, events.length);
  for (const [i, event] of events.entries()) {
    const verdict = await examiner.examine(event);
    if (verdict === 'consistent') plan.consistent += 1;
    else if (typeof verdict === 'string') plan.skipped[verdict] += 1;
    else plan.findings.push(verdict);
    onProgress(i + 1, events.length);
  }
  return plan;
}

export interface AppliedFix {
  eventUuid: string;
  kinds: DiscrepancyKind[];
  fix: FixKind;
  result: 'fixed' | 'not_fixed' | 'failed';
  /** What the lifecycle said about each synthesised delivery. */
  outcomes: OutcomeType[];
  message: string;
}

/** Fixes each finding; one failure does not stop the others. */
export async function applyReconciliation(
  plan: ReconciliationPlan,
  deps: LifecycleDeps,
  onProgress: Progress = () => {},
): Promise<AppliedFix[]> {
  const results: AppliedFix[] = [];
  onProgress(0, plan.findings.length);
  for (const [i, finding] of plan.findings.entries()) {
    const base = { eventUuid: finding.eventUuid, kinds: finding.kinds, fix: finding.fix };
    try {
      results.push({ ...base, ...(await applyOne(finding, deps)) });
    } catch (error) {
      results.push({
        ...base,
        result: 'failed',
        outcomes: [],
        message: error instanceof Error ? error.message : String(error),
      });
    }
    onProgress(i + 1, plan.findings.length);
  }
  return results;
}

type Applied = Pick<AppliedFix, 'result' | 'outcomes' | 'message'>;

async function applyOne(finding: Finding, deps: LifecycleDeps): Promise<Applied> {
  const { action } = finding;
  switch (action.type) {
    case 'manual':
      return { result: 'not_fixed', outcomes: [], message: finding.fixDescription };
    case 'lifecycle': {
      const outcomes = await runAll(action.events, deps);
      return verify(finding.eventUuid, action.expect, outcomes, deps);
    }
    case 'adopt': {
      const adopted = await adopt(action.event, action.meeting, deps);
      if (adopted !== null) return { result: 'not_fixed', outcomes: [], message: adopted };
      const outcomes = await runAll(action.then, deps);
      return verify(finding.eventUuid, 'active', outcomes, deps);
    }
    case 'replace': {
      const owner = randomUUID();
      const forgotten = await deps.store.forgetMeeting({
        ...leaseOn(action.event, owner, deps),
        meetingId: action.meetingId,
      });
      if (forgotten.type !== 'claimed') {
        return {
          result: 'not_fixed',
          outcomes: [],
          message: 'The booking changed meanwhile; run reconcile again to see where it stands.',
        };
      }
      // Let go at once, known empty: the replayed delivery claims it and makes the new meeting.
      await deps.store.releaseLease({
        eventUuid: action.event.eventUuid,
        owner,
        now: deps.now(),
        certainNoMeeting: true,
      });
      const outcomes = await runAll([action.event], deps);
      return verify(finding.eventUuid, 'active', outcomes, deps);
    }
    case 'delete_meeting': {
      const { status } = await deps.zoom.deleteMeeting(action.meetingId);
      // Without a record, a late invitee.created redelivery would make the meeting again.
      const outcomes = action.tombstone ? await runAll([action.tombstone], deps) : [];
      return {
        result: 'fixed',
        outcomes,
        message:
          status === 'deleted'
            ? `Deleted Zoom meeting ${action.meetingId}.`
            : `Zoom meeting ${action.meetingId} was already gone.`,
      };
    }
  }
}

async function runAll(events: InviteeEvent[], deps: LifecycleDeps): Promise<OutcomeType[]> {
  const outcomes: OutcomeType[] = [];
  for (const event of events) outcomes.push((await handleInviteeEvent(event, deps)).outcome);
  return outcomes;
}

/** Judged by where the record ended up, not by the outcomes: that is what the next run compares. */
async function verify(
  eventUuid: string,
  expect: 'active' | 'finished',
  outcomes: OutcomeType[],
  deps: LifecycleDeps,
): Promise<Applied> {
  const record = await deps.store.get(eventUuid);
  const ok =
    record !== null && (expect === 'active' ? record.status === 'active' : isFinished(record));
  if (ok) {
    return {
      result: 'fixed',
      outcomes,
      message:
        expect === 'active'
          ? `The booking has Zoom meeting ${record.meeting?.id ?? '?'}.`
          : `The booking is recorded as ${record.status}.`,
    };
  }
  const busy = outcomes.includes('in_progress');
  return {
    result: 'not_fixed',
    outcomes,
    message: busy
      ? 'Another delivery is working on this booking; run reconcile again in a minute.'
      : `The record is ${record?.status ?? 'missing'} after the fix (outcomes: ${outcomes.join(', ') || 'none'}); check the booking by hand.`,
  };
}

/**
 * The crash-recovery path of the lifecycle, for a meeting found long after the crash: claim the
 * booking and commit the found meeting, so no second meeting is made. Null when adopted.
 */
async function adopt(
  event: InviteeEvent,
  meeting: StoredMeeting,
  deps: LifecycleDeps,
): Promise<string | null> {
  const owner = randomUUID();
  const claim = await deps.store.claimCreate({
    ...leaseOn(event, owner, deps),
    startTime: event.startTime,
    durationMinutes: event.durationMinutes,
    reschedule: null,
    rescheduleMode: 'recreate',
  });
  if (claim.type === 'exists') return null;
  if (claim.type !== 'claimed') {
    if (claim.type === 'recover' || claim.type === 'move') {
      await deps.store.releaseLease({
        eventUuid: event.eventUuid,
        owner,
        now: deps.now(),
        certainNoMeeting: false,
      });
    }
    return `The booking changed meanwhile (${claim.type}); run reconcile again.`;
  }
  const commit = await deps.store.commitCreate({
    eventUuid: event.eventUuid,
    owner,
    now: deps.now(),
    meeting,
  });
  return commit.type === 'committed'
    ? null
    : `The booking changed while the meeting was being recorded (${commit.type}); run reconcile again.`;
}

type Verdict = Finding | 'consistent' | keyof ReconciliationPlan['skipped'];

/** Looks at one scheduled event at a time, with the lookups it shares across events. */
class Examiner {
  /** Meeting id -> event UUID of the live records holding it (built once, when first needed). */
  private owners: Map<string, string> | null = null;

  constructor(private readonly deps: ReconcileDeps) {}

  async examine(event: ScheduledEventSummary): Promise<Verdict> {
    const { deps } = this;
    const record = await deps.store.get(event.uuid);
    const now = deps.now();
    if (record && isBusy(record, now)) return 'inProgress';
    // The lifecycle ignores these bookings, create and cancel alike; so does reconciliation.
    if (deps.config.nativeZoom === 'skip' && isNativeZoom(event)) return 'nativeZoom';
    const over = Date.parse(event.endTime) <= now;
    const active = event.status === 'active';
    if (active && over) return 'over';
    const invitees = await deps.calendly.listEventInvitees(event.uri);
    return active
      ? this.examineActive(event, invitees, record)
      : this.examineCanceled(event, invitees, record, over);
  }

  private async examineActive(
    event: ScheduledEventSummary,
    invitees: InviteeSummary[],
    record: BookingRecord | null,
  ): Promise<Verdict> {
    const active = invitees.filter((i) => i.status === 'active');
    const canceled = invitees.filter((i) => i.status !== 'active');
    const finding = findingOf(event, record);
    if (active.length === 0) return 'consistent';

    if (record === null) {
      const orphan = await this.findByMarker(event);
      if (orphan) {
        const [first, ...rest] = active as [InviteeSummary, ...InviteeSummary[]];
        return finding(
          ['stale_record'],
          `No record of this booking, but Zoom meeting ${orphan.id} made for it exists (found by its marker).`,
          'adopt_meeting',
          'Record the existing meeting for the booking (no second meeting is made).',
          {
            type: 'adopt',
            event: toInviteeEvent('invitee.created', event, first),
            meeting: orphan,
            then: rest.map((i) => toInviteeEvent('invitee.created', event, i)),
          },
          orphan.id,
        );
      }
      return finding(
        ['missing_meeting'],
        'Active booking without a Zoom meeting: the store has no record of it and Zoom has no meeting with its marker.',
        'create_meeting',
        'Create the meeting through the lifecycle, as the missed invitee.created would have.',
        lifecycle(event, { create: active }, 'active'),
      );
    }

    const known = (i: InviteeSummary): boolean => record.invitees[i.uri] !== undefined;
    switch (record.status) {
      case 'active': {
        const meetingId = record.meeting?.id ?? null;
        if (meetingId !== null && !(await this.isLive(meetingId))) {
          const [first] = active as [InviteeSummary, ...InviteeSummary[]];
          return finding(
            ['missing_meeting'],
            `The booking is active but its Zoom meeting ${meetingId} no longer exists in Zoom.`,
            'replace_meeting',
            'Record that the meeting is gone and make a new one through the lifecycle (its join link is new; notifications say so).',
            {
              type: 'replace',
              meetingId,
              event: toInviteeEvent('invitee.created', event, first),
            },
            meetingId,
          );
        }
        const joined = active.filter((i) => !known(i));
        const left = canceled.filter((i) => record.invitees[i.uri] === 'active');
        if (joined.length === 0 && left.length === 0) return 'consistent';
        return finding(
          ['stale_record'],
          `The record's invitees differ from Calendly's: ${joined.length} booked and ${left.length} cancelled without the record knowing.`,
          'sync_invitees',
          'Replay the missed invitee events through the lifecycle (the meeting stays).',
          lifecycle(event, { cancel: left, create: joined }, 'active'),
          meetingId,
        );
      }
      case 'creating':
      case 'cancelling':
        // Lease ran out (busy ones were skipped): the worker died half-way. A replayed delivery
        // takes over, finds any meeting it made by the marker, and finishes.
        return finding(
          ['stale_record'],
          `A delivery stopped half-way: the record is still "${record.status}" with no one working on it.`,
          'create_meeting',
          'Replay the booking through the lifecycle, which finishes the abandoned work first.',
          lifecycle(
            event,
            {
              cancel: record.status === 'cancelling' ? canceled.filter(known).slice(0, 1) : [],
              create: active.filter((i) => record.invitees[i.uri] !== 'canceled'),
            },
            'active',
          ),
          record.meeting?.id ?? null,
        );
      default: {
        const unseen = active.filter((i) => !known(i));
        if (unseen.length > 0) {
          return finding(
            ['stale_record', 'missing_meeting'],
            `The record is ${record.status}, but Calendly has ${unseen.length} active invitee(s) it never saw.`,
            'create_meeting',
            'Create the meeting through the lifecycle for the invitees it missed.',
            lifecycle(event, { create: unseen }, 'active'),
          );
        }
        return finding(
          ['stale_record', 'missing_meeting'],
          `The record is ${record.status} for invitees Calendly lists as active.`,
          'manual',
          'Not fixable automatically: the store never re-creates the meeting of a cancelled invitee. Check the booking in Calendly and make a meeting by hand if it stands.',
          { type: 'manual' },
        );
      }
    }
  }

  private async examineCanceled(
    event: ScheduledEventSummary,
    invitees: InviteeSummary[],
    record: BookingRecord | null,
    over: boolean,
  ): Promise<Verdict> {
    const finding = findingOf(event, record);
    if (record === null) {
      // Zoom lists only upcoming meetings, so nothing can be found for a booking that is over.
      const orphan = over ? null : await this.findByMarker(event);
      if (!orphan) return 'consistent';
      const first = invitees[0];
      return finding(
        ['ghost_meeting'],
        `Cancelled booking, but Zoom meeting ${orphan.id} made for it still exists (no record of it).`,
        'delete_meeting',
        'Delete the meeting in Zoom and record the cancellation.',
        {
          type: 'delete_meeting',
          meetingId: orphan.id,
          tombstone: first ? toInviteeEvent('invitee.canceled', event, first) : null,
        },
        orphan.id,
      );
    }

    if (!isFinished(record)) {
      if (record.pendingMove) return 'consistent';
      const meetingId = record.meeting?.id ?? null;
      const live = meetingId !== null && (await this.isLive(meetingId));
      // Cancel the invitees the record still counts; if it counts none (a cancel that stopped
      // half-way), one replayed cancellation takes the clean-up over.
      const cancel = invitees.filter((i) => record.invitees[i.uri] === 'active');
      const replay =
        cancel.length > 0 ? cancel : invitees.filter((i) => record.invitees[i.uri]).slice(0, 1);
      const problem = `Calendly cancelled this booking, but the record is still "${record.status}"${
        live ? ` and Zoom meeting ${meetingId} is live` : ''
      }.`;
      if (replay.length === 0) {
        return finding(
          live ? ['stale_record', 'ghost_meeting'] : ['stale_record'],
          problem,
          'manual',
          "Not fixable automatically: none of Calendly's invitees of this booking is in the record. Delete the meeting in Zoom by hand.",
          { type: 'manual' },
          meetingId,
        );
      }
      return finding(
        live ? ['stale_record', 'ghost_meeting'] : ['stale_record'],
        problem,
        'cancel_booking',
        'Replay the cancellation through the lifecycle, which deletes the meeting.',
        lifecycle(event, { cancel: replay }, 'finished'),
        meetingId,
      );
    }

    const meetingId = record.meeting?.id ?? null;
    if (meetingId === null || record.pendingMove) return 'consistent';
    if ((await this.ownerOf(meetingId)) !== null) return 'consistent';
    if (!(await this.isLive(meetingId))) return 'consistent';
    return finding(
      ['ghost_meeting'],
      `Cancelled booking (record ${record.status}) whose Zoom meeting ${meetingId} still exists.`,
      'delete_meeting',
      'Delete the meeting in Zoom.',
      { type: 'delete_meeting', meetingId, tombstone: null },
      meetingId,
    );
  }

  private async isLive(meetingId: string): Promise<boolean> {
    try {
      await this.deps.zoom.getMeeting(meetingId);
      return true;
    } catch (error) {
      if (error instanceof ZoomApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** As the lifecycle's crash recovery looks: under each host and the default host. */
  private async findByMarker(event: ScheduledEventSummary): Promise<StoredMeeting | null> {
    const hosts = [...new Set([...event.hostEmails, this.deps.config.defaultHost])].filter(
      (h): h is string => typeof h === 'string' && h !== '',
    );
    for (const host of hosts) {
      try {
        const found = await this.deps.zoom.findMeetingByMarker(host, meetingMarker(event.uri));
        if (found) {
          return {
            id: found.id,
            joinUrl: found.joinUrl,
            startUrl: found.startUrl,
            password: found.password,
            host,
          };
        }
      } catch (error) {
        // A host without a Zoom user simply has no meetings to find.
        if (!(error instanceof ZoomApiError && error.code === 1001)) throw error;
      }
    }
    return null;
  }

  /**
   * In move mode a rescheduled booking's meeting lives on under the new booking's record: the old,
   * superseded record still names it, and it is no ghost.
   */
  private async ownerOf(meetingId: string): Promise<string | null> {
    if (this.owners === null) {
      const owners = new Map<string, string>();
      for await (const r of this.deps.store.list()) {
        const meeting = heldMeeting(r);
        if (meeting) owners.set(meeting.id, r.eventUuid);
      }
      this.owners = owners;
    }
    return this.owners.get(meetingId) ?? null;
  }
}

function findingOf(event: ScheduledEventSummary, record: BookingRecord | null) {
  return (
    kinds: DiscrepancyKind[],
    problem: string,
    fix: FixKind,
    fixDescription: string,
    action: FixAction,
    meetingId: string | null = record?.meeting?.id ?? null,
  ): Finding => ({
    eventUuid: event.uuid,
    eventUri: event.uri,
    eventName: event.name,
    startTime: event.startTime,
    bookingStatus: event.status,
    recordStatus: record?.status ?? null,
    meetingId,
    kinds,
    problem,
    fix,
    fixDescription,
    action,
  });
}

function lifecycle(
  event: ScheduledEventSummary,
  invitees: { cancel?: InviteeSummary[]; create?: InviteeSummary[] },
  expect: 'active' | 'finished',
): FixAction {
  return {
    type: 'lifecycle',
    expect,
    events: [
      ...(invitees.cancel ?? []).map((i) => toInviteeEvent('invitee.canceled', event, i)),
      ...(invitees.create ?? []).map((i) => toInviteeEvent('invitee.created', event, i)),
    ],
  };
}

/**
 * The delivery Calendly would have sent, rebuilt from API data. Through the webhook parser, so a
 * replayed event is normalised (times, duration, hosts) exactly like a delivered one.
 */
export function toInviteeEvent(
  kind: InviteeEventKind,
  event: ScheduledEventSummary,
  invitee: InviteeSummary,
): InviteeEvent {
  try {
    return parseInviteeEvent(
      {
        event: kind,
        payload: {
          uri: invitee.uri,
          email: invitee.email,
          name: invitee.name,
          timezone: invitee.timezone,
          rescheduled: invitee.rescheduled,
          old_invitee: invitee.oldInvitee,
          new_invitee: invitee.newInvitee,
          scheduled_event: {
            uri: event.uri,
            name: event.name,
            start_time: event.startTime,
            end_time: event.endTime,
            location: { type: event.locationType, join_url: event.locationJoinUrl },
            event_memberships: event.hostEmails.map((email) => ({ user_email: email })),
          },
        },
      },
      { calendlyApiUrl: apiUrlOf(event.uri) },
    );
  } catch (cause) {
    throw new ReconcileError(
      `Calendly's data for booking ${event.uuid} is incomplete: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

function isBusy(record: BookingRecord, now: number): boolean {
  return (
    (record.status === 'creating' || record.status === 'cancelling') &&
    record.lease !== null &&
    record.lease.expiresAt > now
  );
}

/** The lifecycle's native-Zoom rule, on API data. */
function isNativeZoom(event: ScheduledEventSummary): boolean {
  const type = event.locationType ?? '';
  return (type === 'zoom' || type === 'zoom_conference') && event.locationJoinUrl !== null;
}

/** A finding without its internal action: what reports and --json show. */
export function describeFinding(f: Finding): Omit<Finding, 'action'> {
  return {
    eventUuid: f.eventUuid,
    eventUri: f.eventUri,
    eventName: f.eventName,
    startTime: f.startTime,
    bookingStatus: f.bookingStatus,
    recordStatus: f.recordStatus,
    meetingId: f.meetingId,
    kinds: f.kinds,
    problem: f.problem,
    fix: f.fix,
    fixDescription: f.fixDescription,
  };
}
