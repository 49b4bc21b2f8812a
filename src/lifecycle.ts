import { randomUUID } from 'node:crypto';
import type { InviteeEvent } from './calendly/invitee-event';
import { ConfigError } from './errors';
import { outcomeOf, type LifecycleOutcome } from './lifecycle-outcome';
import type { Logger } from './log';
import type { BookingRecord, StoredMeeting } from './store/booking-record';
import type { BookingStore } from './store/booking-store';
import type { Attention, BookingContext, DeletedReason } from './store/outbox';
import { ZoomApiError, ZoomAuthError, ZoomDeadlineError, ZoomRateLimitError } from './zoom/errors';
import type { ZoomMeeting, ZoomMeetingSettings, ZoomMeetings } from './zoom/types';

export interface LifecycleConfig {
  /** Placeholders: {event}, {invitee}, {invitee_email}, {host}. */
  topicTemplate: string;
  /** `recreate`: delete the old meeting, make a new one. `move`: PATCH the old one (link kept). */
  reschedule: 'recreate' | 'move';
  /** A booking that already has a Zoom link from Calendly's own Zoom integration. */
  nativeZoom: 'skip' | 'create';
  /** Zoom user (email or id) for bookings whose host has no Zoom user. */
  defaultHost: string | null;
  /** How long a worker may hold a booking before another may take over (crash recovery). */
  leaseMs: number;
  /**
   * After a create whose outcome is unknown (timeout, connection lost after sending), how long
   * Zoom may still be making the meeting. The booking stays held that long, so that whoever takes
   * over searches for the meeting only once it would have appeared.
   */
  createSettleMs: number;
  meetingSettings: ZoomMeetingSettings;
}

export const DEFAULT_LIFECYCLE_CONFIG: LifecycleConfig = {
  topicTemplate: '{event} with {invitee}',
  reschedule: 'recreate',
  nativeZoom: 'skip',
  defaultHost: null,
  // Longer than the Zoom client's 25 s deadline, so a live worker never loses its lease.
  leaseMs: 60_000,
  createSettleMs: 120_000,
  meetingSettings: {},
};

export interface LifecycleDeps {
  store: BookingStore;
  zoom: ZoomMeetings;
  now: () => number;
  log: Logger;
  config: LifecycleConfig;
}

/** The booking has no host in Zoom and no default host is configured. */
export class HostResolutionError extends ConfigError {}

const ZOOM_TOPIC_MAX = 200;
/** Time kept at the end of a lease for the store write that records how a create ended. */
const LEASE_END_MARGIN_MS = 5000;

/** Runs one Calendly invitee event through the lifecycle; see DESIGN.md's lifecycle table. */
export async function handleInviteeEvent(
  event: InviteeEvent,
  deps: LifecycleDeps,
): Promise<LifecycleOutcome> {
  if (deps.config.nativeZoom === 'skip' && hasNativeZoom(event)) {
    return outcomeOf(
      'skipped_native_zoom',
      'The booking already has a Zoom link from Calendly itself; no meeting was made.',
      event,
      null,
    );
  }
  const outcome =
    event.kind === 'invitee.created'
      ? await handleCreated(event, deps)
      : await handleCanceled(event, deps);
  deps.log.info('booking handled', {
    kind: event.kind,
    outcome: outcome.outcome,
    eventUuid: event.eventUuid,
    meetingId: outcome.meeting?.id,
  });
  return outcome;
}

/** The marker that lets a retry find a meeting whose creation was never recorded. */
export function meetingMarker(eventUri: string): string {
  // Bracketed so that one event's URI is never found inside another's by a substring search.
  return `[Calendly booking ${eventUri}]`;
}

/** The event URI of the marker in a meeting's agenda, if it carries one (the sweep, Find Meeting). */
export function markedEventUri(agenda: string | null): string | null {
  return agenda?.match(/\[Calendly booking (\S+?)\]/)?.[1] ?? null;
}

/** What every lease-taking store call names: the booking, the invitee, who and until when. */
export function leaseOn(event: InviteeEvent, owner: string, deps: LifecycleDeps) {
  return {
    eventUuid: event.eventUuid,
    eventUri: event.eventUri,
    inviteeUri: event.inviteeUri,
    owner,
    now: deps.now(),
    leaseMs: deps.config.leaseMs,
    context: bookingContext(event),
    via: event.kind,
  };
}

/** What the store keeps of a delivery, and what its notices say about the booking. */
export function bookingContext(event: InviteeEvent): BookingContext {
  return {
    eventUri: event.eventUri,
    eventUuid: event.eventUuid,
    inviteeUri: event.inviteeUri,
    eventName: event.eventName,
    hostEmail: event.hostEmail,
    invitee: { ...event.invitee },
    startTime: event.startTime,
    endTime: event.endTime,
  };
}

function hasNativeZoom(event: InviteeEvent): boolean {
  const type = event.location.type ?? '';
  return (type === 'zoom' || type === 'zoom_conference') && event.location.joinUrl !== null;
}

async function handleCreated(event: InviteeEvent, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const owner = randomUUID();
  const lease = leaseOn(event, owner, deps);
  const claim = await deps.store.claimCreate({
    ...lease,
    startTime: event.startTime,
    durationMinutes: event.durationMinutes,
    reschedule: event.oldInviteeUri ? { oldInviteeUri: event.oldInviteeUri } : null,
    rescheduleMode: deps.config.reschedule,
  });
  const work = new Work(event, deps, owner, lease.now + lease.leaseMs);

  switch (claim.type) {
    case 'exists':
      return outcomeOf(
        'duplicate',
        claim.inviteeAdded
          ? 'The invitee joined an event that already has a meeting; it was added to the booking.'
          : 'This booking already has a meeting; nothing new was made.',
        event,
        claim.record,
      );
    case 'in_progress':
      return outcomeOf(
        'in_progress',
        'Another delivery is working on this booking; try again shortly.',
        event,
        claim.record,
        undefined,
        deps.now(),
      );
    case 'abandon_move':
      await work.cleanUp(claim.from, 'move_abandoned');
      return outcomeOf(
        'tombstoned',
        'This booking was cancelled before it arrived; the rescheduled meeting kept for it was deleted.',
        event,
        claim.record,
      );
    case 'refused':
      return outcomeOf(
        'tombstoned',
        'This invitee cancelled before the booking reached us; no meeting was made.',
        event,
        claim.record,
      );
    case 'claimed':
      return work.createAndCommit();
    case 'move':
      return work.moveAndCommit(claim.from.meeting as StoredMeeting);
    case 'recover':
      if (claim.record.status === 'cancelling' || claim.record.cancelRequested) {
        await work.cleanUp(claim.record);
        return outcomeOf(
          'tombstoned',
          'The booking was cancelled while its meeting was being made; the meeting was removed.',
          event,
          await deps.store.get(event.eventUuid),
        );
      }
      if (claim.record.movingFrom && claim.record.meeting) {
        return work.moveAndCommit(claim.record.meeting);
      }
      return work.recoverOrCreate(claim.record);
  }
}

async function handleCanceled(event: InviteeEvent, deps: LifecycleDeps): Promise<LifecycleOutcome> {
  const owner = randomUUID();
  const rescheduled = event.rescheduled;
  const lease = leaseOn(event, owner, deps);
  const result = await deps.store.beginCancel({
    ...lease,
    finalStatus: rescheduled ? 'superseded' : 'cancelled',
    supersededBy: rescheduled ? event.newInviteeUri : null,
    rescheduleMode: deps.config.reschedule,
  });
  const work = new Work(event, deps, owner, lease.now + lease.leaseMs);
  const finalOutcome = rescheduled ? 'superseded' : 'cancelled';

  switch (result.type) {
    case 'tombstoned':
      return outcomeOf(
        'tombstoned',
        'No meeting is known for this booking; a tombstone now stops a late creation.',
        event,
        result.record,
      );
    case 'done':
      return outcomeOf('duplicate', 'This cancellation was handled before.', event, result.record);
    case 'kept':
      return outcomeOf(
        'kept_for_other_invitees',
        'Other invitees are still booked on this event; the meeting stays.',
        event,
        result.record,
      );
    case 'kept_for_move':
      return outcomeOf(
        'superseded',
        'The booking was rescheduled; its meeting is kept and will move to the new time.',
        event,
        result.record,
      );
    case 'deferred':
      return outcomeOf(
        finalOutcome,
        'The meeting was still being made; it will be removed as soon as it exists.',
        event,
        result.record,
      );
    case 'in_progress':
      return outcomeOf(
        'in_progress',
        'Another delivery is removing this meeting; try again shortly.',
        event,
        result.record,
        undefined,
        deps.now(),
      );
    case 'delete':
    case 'recover': {
      const { zoomResult, record } = await work.cleanUp(result.record);
      const outcome = zoomResult === 'already_gone' && !rescheduled ? 'already_gone' : finalOutcome;
      return outcomeOf(
        outcome,
        zoomResult === 'already_gone'
          ? 'The booking is cancelled; its meeting was already gone from Zoom.'
          : rescheduled
            ? 'The booking was rescheduled; its old meeting was deleted.'
            : 'The booking is cancelled and its meeting deleted.',
        event,
        record,
        record?.meeting ?? result.record.meeting,
      );
    }
  }
}

/** One delivery's work on a booking it holds the lease for. */
class Work {
  constructor(
    private readonly event: InviteeEvent,
    private readonly deps: LifecycleDeps,
    private readonly owner: string,
    /** When our hold on the booking runs out and another delivery may take it over. */
    private readonly leaseUntil: number,
  ) {}

  async createAndCommit(): Promise<LifecycleOutcome> {
    const meeting = await this.create();
    return this.commit(meeting, 'created');
  }

  /** Taking over from a worker that may have reached Zoom: look for its meeting first. */
  async recoverOrCreate(record: BookingRecord): Promise<LifecycleOutcome> {
    if (record.recoveryNeeded) {
      const found = await this.guard(() => this.findOrphan(), false);
      if (found) {
        this.deps.log.warn('recovered a meeting whose creation was never recorded', {
          eventUuid: this.event.eventUuid,
          meetingId: found.id,
        });
        return this.commit(found, 'created');
      }
    }
    return this.createAndCommit();
  }

  async moveAndCommit(meeting: StoredMeeting): Promise<LifecycleOutcome> {
    const e = this.event;
    try {
      await this.deps.zoom.updateMeeting(meeting.id, {
        topic: this.topic(),
        startTime: e.startTime,
        durationMinutes: e.durationMinutes,
        agenda: this.agenda(),
      });
    } catch (error) {
      // Someone deleted the meeting in Zoom by hand: make a fresh one for the new time, still
      // under our lease. A worker before us may have got this far and died, so look first.
      if (error instanceof ZoomApiError && error.status === 404) {
        const found = await this.guard(() => this.findOrphan(), false);
        return found ? this.commit(found, 'created') : this.createAndCommit();
      }
      await this.releaseQuietly(error, false);
      throw error;
    }
    return this.commit({ ...meeting }, 'moved');
  }

  /**
   * Deletes whatever meeting the booking has (or its abandoned creator made), then records the
   * cancellation. Zoom's "already gone" counts as done.
   */
  async cleanUp(
    record: BookingRecord,
    reason?: DeletedReason,
  ): Promise<{
    zoomResult: 'deleted' | 'already_gone' | 'no_meeting';
    record: BookingRecord | null;
  }> {
    const zoomResult = await this.guard(
      async () => {
        const meetingId =
          record.meeting?.id ?? (record.recoveryNeeded ? (await this.findOrphan())?.id : undefined);
        if (meetingId === undefined) return 'no_meeting' as const;
        const { status } = await this.deps.zoom.deleteMeeting(meetingId);
        return status;
      },
      false,
      record.eventUuid,
    );
    const finished = await this.deps.store.finishCancel({
      eventUuid: record.eventUuid,
      owner: this.owner,
      now: this.deps.now(),
      zoomResult,
      context: this.contextFor(record.eventUuid),
      via: this.event.kind,
      reason,
    });
    return { zoomResult, record: finished };
  }

  private async create(): Promise<StoredMeeting> {
    const { defaultHost } = this.deps.config;
    const host = this.event.hostEmail ?? defaultHost;
    if (!host) {
      const error = new HostResolutionError(
        `Booking ${this.event.eventUuid} names no host and ZOOM_DEFAULT_HOST is not set.`,
      );
      await this.release(error, true);
      throw error;
    }
    return this.guard(async () => {
      try {
        return toStored(await this.createIn(host), host);
      } catch (error) {
        // The booking's host has no Zoom user in this account: the default host takes the meeting.
        if (isUnknownUser(error) && defaultHost && host !== defaultHost) {
          this.deps.log.warn('host has no Zoom user; using the default host', {
            eventUuid: this.event.eventUuid,
          });
          return toStored(await this.createIn(defaultHost), defaultHost);
        }
        if (isUnknownUser(error)) {
          throw new HostResolutionError(
            `The booking's host has no Zoom user in this account and ZOOM_DEFAULT_HOST is not set.`,
            { cause: error },
          );
        }
        throw error;
      }
    }, true);
  }

  private createIn(host: string): Promise<ZoomMeeting> {
    const e = this.event;
    // A create still running when the lease runs out could land after a takeover's marker search
    // and become a ghost; ending it a little early leaves time to record the outcome while held.
    const margin = Math.min(LEASE_END_MARGIN_MS, this.deps.config.leaseMs / 10);
    return this.deps.zoom.createMeeting(
      host,
      {
        topic: this.topic(),
        startTime: e.startTime,
        durationMinutes: e.durationMinutes,
        agenda: this.agenda(),
        settings: this.deps.config.meetingSettings,
      },
      { deadlineAt: this.leaseUntil - margin },
    );
  }

  private async commit(
    meeting: StoredMeeting,
    success: 'created' | 'moved',
  ): Promise<LifecycleOutcome> {
    let commit;
    try {
      commit = await this.deps.store.commitCreate({
        eventUuid: this.event.eventUuid,
        owner: this.owner,
        now: this.deps.now(),
        meeting,
        context: bookingContext(this.event),
        via: this.event.kind,
      });
    } catch (error) {
      // The meeting exists but is not recorded. Letting go at once (when the store answers again)
      // lets the redelivery find it by its marker now rather than after the whole lease.
      await this.releaseQuietly(error, false);
      throw error;
    }
    switch (commit.type) {
      case 'committed':
        return outcomeOf(
          success,
          success === 'moved'
            ? 'The meeting was moved to the rescheduled time; its join link is unchanged.'
            : 'A Zoom meeting was created for the booking.',
          this.event,
          commit.record,
        );
      case 'cancel_requested': {
        const { record } = await this.cleanUp(commit.record);
        return outcomeOf(
          record?.status === 'superseded' ? 'superseded' : 'cancelled',
          'The booking was cancelled while its meeting was being made; the meeting was deleted.',
          this.event,
          record,
        );
      }
      case 'lost': {
        if (commit.record?.meeting?.id !== meeting.id) {
          await this.deps.zoom.deleteMeeting(meeting.id);
        }
        const active = commit.record?.status === 'active';
        return outcomeOf(
          active ? 'duplicate' : 'tombstoned',
          active
            ? "Another delivery made this booking's meeting first; the extra one was deleted."
            : 'The booking was cancelled meanwhile; the meeting made for it was deleted.',
          this.event,
          commit.record,
        );
      }
    }
  }

  /** Zoom hosts a lost meeting may sit under: the booking's host and the default host. */
  private async findOrphan(): Promise<StoredMeeting | null> {
    const marker = meetingMarker(this.event.eventUri);
    const hosts = [...new Set([this.event.hostEmail, this.deps.config.defaultHost])].filter(
      (h): h is string => h !== null,
    );
    for (const host of hosts) {
      try {
        const found = await this.deps.zoom.findMeetingByMarker(host, marker);
        if (found) return toStored(found, host);
      } catch (error) {
        if (!isUnknownUser(error)) throw error;
      }
    }
    return null;
  }

  /**
   * Runs Zoom work under the lease. On failure the lease is released at once so a redelivery need
   * not wait for it to run out; `creating`: the failed work was a create, which may have made a
   * meeting unless Zoom plainly refused.
   */
  private async guard<T>(
    fn: () => Promise<T>,
    creating: boolean,
    eventUuid = this.event.eventUuid,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      await this.releaseQuietly(error, creating, eventUuid);
      throw error;
    }
  }

  /** The original error matters more than a failed release: the lease runs out by itself. */
  private async releaseQuietly(
    error: unknown,
    creating: boolean,
    eventUuid = this.event.eventUuid,
  ): Promise<void> {
    try {
      await this.release(error, creating, eventUuid);
    } catch (releaseError) {
      this.deps.log.error('could not release the booking lease', {
        eventUuid: this.event.eventUuid,
        error: releaseError instanceof Error ? releaseError.message : String(releaseError),
      });
    }
  }

  /**
   * A create Zoom refused made nothing. One whose answer never came may still be carried out: the
   * booking stays held until it would have been (createSettleMs), so that the next holder's marker
   * search finds it instead of racing it with a second meeting.
   */
  private release(error: unknown, creating: boolean, eventUuid = this.event.eventUuid) {
    const now = this.deps.now();
    const refused = isDefiniteRefusal(error);
    return this.deps.store.releaseLease({
      eventUuid,
      owner: this.owner,
      now,
      certainNoMeeting: creating && refused,
      settleUntil: creating && !refused ? now + this.deps.config.createSettleMs : null,
      attention: attentionFor(error),
      context: this.contextFor(eventUuid),
      via: this.event.kind,
    });
  }

  /** The delivery describes its own booking only (a reschedule also touches the old one). */
  private contextFor(eventUuid: string): BookingContext | undefined {
    return eventUuid === this.event.eventUuid ? bookingContext(this.event) : undefined;
  }

  private topic(): string {
    const e = this.event;
    const values: Record<string, string> = {
      event: e.eventName,
      invitee: e.invitee.name,
      invitee_email: e.invitee.email,
      host: e.hostEmail ?? '',
    };
    const topic = this.deps.config.topicTemplate.replace(
      /\{(\w+)\}/g,
      (whole, name: string) => values[name] ?? whole,
    );
    return topic.length > ZOOM_TOPIC_MAX ? `${topic.slice(0, ZOOM_TOPIC_MAX - 1)}…` : topic;
  }

  private agenda(): string {
    return `${meetingMarker(this.event.eventUri)}\nInvitee: ${this.event.invitee.name}`;
  }
}

function toStored(meeting: ZoomMeeting, host: string): StoredMeeting {
  return {
    id: meeting.id,
    joinUrl: meeting.joinUrl,
    startUrl: meeting.startUrl,
    password: meeting.password,
    host,
  };
}

function isUnknownUser(error: unknown): boolean {
  return error instanceof ZoomApiError && error.code === 1001;
}

/**
 * Failures a retry will not fix: the booking needs a person (a setting, a Zoom user, a day's
 * wait). Everything else is transient and clears by itself.
 */
function attentionFor(error: unknown): Pick<Attention, 'reason' | 'message'> | null {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof HostResolutionError) return { reason: 'host_without_zoom_user', message };
  if (error instanceof ZoomRateLimitError) {
    return error.daily ? { reason: 'zoom_daily_limit', message } : null;
  }
  if (error instanceof ZoomAuthError || error instanceof ConfigError) {
    return { reason: 'configuration', message };
  }
  if (error instanceof ZoomApiError && !error.transient) return { reason: 'zoom_refused', message };
  return null;
}

/** Zoom answered and said no: nothing was created, so no marker search is needed next time. */
function isDefiniteRefusal(error: unknown): boolean {
  return (
    // Ran out of time before sending: a create is only ever sent again after a refusal.
    error instanceof ZoomDeadlineError ||
    error instanceof ZoomRateLimitError ||
    error instanceof ZoomAuthError ||
    error instanceof HostResolutionError ||
    (error instanceof ZoomApiError && error.status >= 400 && error.status < 500)
  );
}
