import type { BookingRecord } from '../../src/store/booking-record';
import type { FakeZoomMeeting } from '../support/fake-zoom-server';
import type { DeliveryLog } from './sender';
import { DAILY_LIMIT_HOST, type ExpectedBooking } from './traffic';

/** The state the run ended in, beside what Calendly says it should be. */
export interface EndState {
  bookings: ReadonlyMap<string, ExpectedBooking>;
  liveMeetings: readonly FakeZoomMeeting[];
  records: ReadonlyMap<string, BookingRecord | null>;
  deliveries: readonly DeliveryLog[];
}

export interface InvariantReport {
  /** Bookings that should have a meeting (the daily-limit host's aside). */
  activeBookings: number;
  liveMeetings: number;
  /** Live meetings for no active booking (or for none at all). */
  ghosts: number;
  /** Live meetings beyond the first for one booking. */
  duplicates: number;
  /** Active bookings without a live meeting. */
  missing: number;
  /** Store records that disagree with Zoom or with Calendly. */
  recordMismatches: number;
  /** The daily-limit host's active bookings, and how many of them the sender reported. */
  dailyLimitBookings: number;
  dailyLimitReported: number;
  answered2xx: number;
  /** Given up after Zoom's daily limit, and reported. */
  accountedFor: number;
  /** Neither answered 2xx nor accounted for. */
  lost: number;
  /** Answers no valid delivery should ever get: 4xx, or 500 (a bug or a configuration problem). */
  wrongAnswers: number;
  /** One line per broken invariant, naming the booking or delivery. */
  problems: string[];
}

const MARKER = /\[Calendly booking https:\/\/api\.calendly\.com\/scheduled_events\/([^\]\s]+)\]/;
const FINISHED = new Set(['cancelled', 'superseded', 'tombstoned']);

/**
 * The chaos run's invariants: Zoom holds exactly one meeting per active booking and nothing else,
 * the store agrees, and every delivery was answered 2xx or given up for a reason that is reported.
 */
export function checkInvariants(state: EndState): InvariantReport {
  const problems: string[] = [];
  const meetingsOf = new Map<string, FakeZoomMeeting[]>();
  let ghosts = 0;
  for (const meeting of state.liveMeetings) {
    const eventUuid = MARKER.exec(meeting.agenda ?? '')?.[1];
    if (eventUuid === undefined) {
      ghosts += 1;
      problems.push(`ghost: meeting ${meeting.id} carries no booking marker`);
      continue;
    }
    meetingsOf.set(eventUuid, [...(meetingsOf.get(eventUuid) ?? []), meeting]);
  }

  let activeBookings = 0;
  let duplicates = 0;
  let missing = 0;
  let recordMismatches = 0;
  let dailyLimitBookings = 0;
  let dailyLimitReported = 0;
  const reportedDaily = new Set(
    state.deliveries.filter((l) => l.gaveUp !== null).map((l) => l.delivery.eventUuid),
  );

  for (const booking of state.bookings.values()) {
    const meetings = meetingsOf.get(booking.eventUuid) ?? [];
    meetingsOf.delete(booking.eventUuid);
    const record = state.records.get(booking.eventUuid) ?? null;
    const name = `booking ${booking.eventUuid} (${booking.host})`;
    const wanted = booking.activeInvitees > 0;

    if (booking.host === DAILY_LIMIT_HOST) {
      if (meetings.length > 0) {
        ghosts += meetings.length;
        problems.push(`ghost: ${name} has ${meetings.length} meeting(s) despite the daily limit`);
      }
      if (!wanted) continue;
      dailyLimitBookings += 1;
      if (reportedDaily.has(booking.eventUuid)) dailyLimitReported += 1;
      else problems.push(`unreported: ${name} got no meeting and no delivery reports why`);
      continue;
    }

    if (!wanted) {
      if (meetings.length > 0) {
        ghosts += meetings.length;
        problems.push(`ghost: ${name} is cancelled but has ${describe(meetings)}`);
      }
      if (record !== null && (!FINISHED.has(record.status) || record.pendingMove)) {
        recordMismatches += 1;
        problems.push(`record: ${name} is cancelled but its record is ${recordState(record)}`);
      }
      continue;
    }

    activeBookings += 1;
    if (meetings.length === 0) {
      missing += 1;
      problems.push(
        `missing: ${name} is booked but has no meeting (record ${recordState(record)})`,
      );
    } else if (meetings.length > 1) {
      duplicates += meetings.length - 1;
      problems.push(`duplicate: ${name} has ${describe(meetings)}`);
    }
    const first = meetings[0];
    if (record?.status !== 'active' || (first && record.meeting?.id !== first.id)) {
      recordMismatches += 1;
      problems.push(
        `record: ${name} is booked, its record is ${recordState(record)}, Zoom has ${describe(meetings)}`,
      );
    }
  }
  for (const [eventUuid, meetings] of meetingsOf) {
    ghosts += meetings.length;
    problems.push(
      `ghost: ${describe(meetings)} for ${eventUuid}, a booking the traffic never made`,
    );
  }

  let answered2xx = 0;
  let accountedFor = 0;
  let lost = 0;
  let wrongAnswers = 0;
  for (const log of state.deliveries) {
    const d = log.delivery;
    const what = `delivery ${d.id} (${d.kind} ${d.inviteeUuid})`;
    for (const [status, count] of Object.entries(log.answers)) {
      if (status.startsWith('network') || status === '503' || Number(status) < 400) continue;
      wrongAnswers += count;
    }
    for (const answer of log.unexpected) problems.push(`answer: ${what} was answered ${answer}`);
    if (log.final !== null) answered2xx += 1;
    else if (log.gaveUp !== null && d.host === DAILY_LIMIT_HOST && d.kind === 'invitee.created')
      accountedFor += 1;
    else {
      lost += 1;
      problems.push(
        log.gaveUp !== null
          ? `lost: ${what} was given up for ${log.gaveUp.reason}, but its host has no limit`
          : `lost: ${what} never answered 2xx after ${log.attempts} attempts: ${log.lastFailure ?? ''}`,
      );
    }
  }

  return {
    activeBookings,
    liveMeetings: state.liveMeetings.length,
    ghosts,
    duplicates,
    missing,
    recordMismatches,
    dailyLimitBookings,
    dailyLimitReported,
    answered2xx,
    accountedFor,
    lost,
    wrongAnswers,
    problems,
  };
}

function describe(meetings: readonly FakeZoomMeeting[]): string {
  return meetings.length === 0
    ? 'no meeting'
    : `meeting(s) ${meetings.map((m) => `${m.id}@${m.hostEmail}`).join(', ')}`;
}

function recordState(record: BookingRecord | null): string {
  if (record === null) return 'absent';
  const lease = record.lease ? ` lease ${record.lease.owner.slice(0, 8)}` : '';
  return `${record.status}${record.pendingMove ? ' (pendingMove)' : ''}${
    record.cancelRequested ? ` (cancelRequested ${record.cancelRequested})` : ''
  } meeting ${record.meeting?.id ?? 'none'}${lease}`;
}
