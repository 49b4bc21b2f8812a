import { randomUUID } from 'node:crypto';
import { markedEventUri, type LifecycleDeps } from './lifecycle';
import { heldMeeting, type BookingRecord } from './store/booking-record';
import type { ZoomClient } from './zoom/client';
import type { ZoomMeeting, ZoomMeetings } from './zoom/types';

/**
 * Housekeeping no delivery will ever ask for, run periodically by `serve` and by `reconcile`:
 *
 * - **Ghost meetings**: a meeting carrying a booking's marker that is not the booking's recorded
 *   meeting (Zoom carried out a create after everyone stopped waiting for it, or a delete was
 *   lost). It is deleted, so the invitee's link never leads to a second, stray meeting.
 * - **Moves that never came**: in move mode a rescheduled booking keeps its meeting for the new
 *   booking; if that never arrives (lost, or skipped as native Zoom) the meeting is deleted after
 *   `pendingMoveTimeoutMs` and the old booking finished.
 */
export interface MaintenanceDeps extends LifecycleDeps {
  zoom: ZoomMeetings & Pick<ZoomClient, 'listUpcomingMeetingsPage'>;
}

export interface MaintenanceOptions {
  /** How long a meeting kept for a move may wait for its new booking. */
  pendingMoveTimeoutMs: number;
}

export interface MaintenanceReport {
  /** Meeting ids deleted as ghosts, with the booking whose marker they carried. */
  ghostsDeleted: { meetingId: string; eventUuid: string }[];
  /** Bookings whose kept-for-a-move meeting was deleted. */
  movesExpired: string[];
  /** What could not be done this time (it is tried again next time). */
  errors: string[];
}

/** 25 h: past Calendly's 24 h of retries, so a new booking that could still arrive is not lost. */
export const DEFAULT_PENDING_MOVE_TIMEOUT_MS = 25 * 3600 * 1000;

const PAGE_SIZE = 300;

export async function runMaintenance(
  deps: MaintenanceDeps,
  options: MaintenanceOptions,
): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { ghostsDeleted: [], movesExpired: [], errors: [] };
  const records: BookingRecord[] = [];
  for await (const record of deps.store.list()) records.push(record);

  for (const record of records) {
    if (record.pendingMove && record.updatedAt <= deps.now() - options.pendingMoveTimeoutMs) {
      await attempt(report, `expire the kept meeting of ${record.eventUuid}`, async () => {
        if (await expireMove(record, deps, options)) report.movesExpired.push(record.eventUuid);
      });
    }
  }
  await sweepGhosts(records, deps, report);
  if (report.ghostsDeleted.length > 0 || report.movesExpired.length > 0) {
    deps.log.warn('maintenance cleaned up', {
      ghostsDeleted: report.ghostsDeleted.length,
      movesExpired: report.movesExpired.length,
    });
  }
  return report;
}

async function expireMove(
  record: BookingRecord,
  deps: MaintenanceDeps,
  options: MaintenanceOptions,
): Promise<boolean> {
  const owner = randomUUID();
  const now = deps.now();
  const held = await deps.store.expirePendingMove({
    eventUuid: record.eventUuid,
    owner,
    now,
    leaseMs: deps.config.leaseMs,
    waitingSince: now - options.pendingMoveTimeoutMs,
  });
  if (held.type !== 'delete') return false;
  const meetingId = held.record.meeting?.id;
  const zoomResult = meetingId ? (await deps.zoom.deleteMeeting(meetingId)).status : 'no_meeting';
  await deps.store.finishCancel({
    eventUuid: record.eventUuid,
    owner,
    now: deps.now(),
    zoomResult,
    reason: 'move_abandoned',
  });
  return true;
}

/**
 * Lists the upcoming meetings of every host the store knows of, and deletes each one that carries
 * a booking's marker while no booking holds it. Bookings being created or cancelled are left
 * alone: their own worker (or whoever takes over) deals with what they made.
 */
async function sweepGhosts(
  records: BookingRecord[],
  deps: MaintenanceDeps,
  report: MaintenanceReport,
): Promise<void> {
  const held = new Set<string>();
  const hosts = new Set<string>();
  for (const record of records) {
    const meeting = heldMeeting(record);
    if (meeting) held.add(meeting.id);
    if (record.meeting?.host) hosts.add(record.meeting.host.toLowerCase());
    if (record.booking?.hostEmail) hosts.add(record.booking.hostEmail.toLowerCase());
  }
  if (deps.config.defaultHost) hosts.add(deps.config.defaultHost.toLowerCase());

  for (const host of hosts) {
    await attempt(report, `sweep the meetings of ${host}`, async () => {
      for await (const meeting of upcomingMeetings(deps, host)) {
        const eventUuid = markedEvent(meeting);
        if (eventUuid === null || held.has(meeting.id)) continue;
        // Read again just before deleting: the booking may have moved on since the list. An
        // unknown booking's meeting is reconcile's to adopt, not a ghost.
        const record = await deps.store.get(eventUuid);
        if (!record || record.status === 'creating' || record.status === 'cancelling') continue;
        if (heldMeeting(record)?.id === meeting.id) continue;
        const { status } = await deps.zoom.deleteMeeting(meeting.id);
        deps.log.warn('deleted a ghost meeting', { eventUuid, meetingId: meeting.id, status });
        report.ghostsDeleted.push({ meetingId: meeting.id, eventUuid });
      }
    });
  }
}

async function* upcomingMeetings(deps: MaintenanceDeps, host: string): AsyncIterable<ZoomMeeting> {
  let pageToken: string | undefined;
  do {
    const page = await deps.zoom.listUpcomingMeetingsPage(host, { pageToken, pageSize: PAGE_SIZE });
    for (const item of page.items) {
      // List items may come without their agenda; only then is the meeting read in full.
      yield item.agenda === null ? await deps.zoom.getMeeting(item.id) : item;
    }
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
}

function markedEvent(meeting: ZoomMeeting): string | null {
  const uri = markedEventUri(meeting.agenda);
  return uri?.split('/').pop() || null;
}

async function attempt(
  report: MaintenanceReport,
  what: string,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    report.errors.push(
      `could not ${what}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
