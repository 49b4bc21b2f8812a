import { attentionFix } from '../notify/attention-fix';
import {
  isFinished,
  type AuditEntry,
  AuditOutcome,
  AuditVia,
  type BookingRecord,
  type BookingStatus,
  type InviteeState,
} from '../store/booking-record';
import type { AttentionReason } from '../store/outbox';
import { needsAttention } from './find-bookings';

/**
 * A booking as an operator reads it (`bookings show`, the status page): what Calendly said, the
 * meeting, what went wrong and its fix, and the history of deliveries. Built field by field from
 * the record, so the host's start URL and the passcode can never be in it.
 */
export interface BookingView {
  eventUuid: string;
  eventUri: string;
  status: BookingStatus;
  needsAttention: boolean;
  eventName: string | null;
  hostEmail: string | null;
  invitee: { name: string; email: string; timezone: string | null } | null;
  invitees: { uri: string; state: InviteeState }[];
  /** ISO 8601 UTC. */
  startTime: string | null;
  endTime: string | null;
  /** `live`: not yet deleted (a finished booking keeps the id of the meeting it had). */
  meeting: { id: string; joinUrl: string; host: string; live: boolean } | null;
  attention: { reason: AttentionReason; message: string; at: string; fix: string } | null;
  /** Reschedules: the invitee this booking replaced / the one that replaced it. */
  replaces: string | null;
  supersededBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** Oldest first; the store keeps the latest 20 changes. */
  history: HistoryLine[];
}

export interface HistoryLine {
  at: string;
  /** The Calendly delivery behind the change; null for work no delivery asked for. */
  via: AuditVia | null;
  action: string;
  detail: string | null;
  /** How the delivery ended, on the change that settled it. */
  outcome: AuditOutcome | null;
  /** The change in words. */
  text: string;
}

export function viewBooking(record: BookingRecord): BookingView {
  const booking = record.booking ?? null;
  const meeting = record.meeting;
  const attention = record.attention ?? null;
  const end =
    record.startTime && record.durationMinutes !== null
      ? new Date(Date.parse(record.startTime) + record.durationMinutes * 60_000).toISOString()
      : null;
  return {
    eventUuid: record.eventUuid,
    eventUri: record.eventUri,
    status: record.status,
    needsAttention: needsAttention(record),
    eventName: booking?.eventName || null,
    hostEmail: booking?.hostEmail ?? null,
    invitee: booking?.invitee.email
      ? {
          name: booking.invitee.name,
          email: booking.invitee.email,
          timezone: booking.invitee.timezone,
        }
      : null,
    invitees: Object.entries(record.invitees).map(([uri, state]) => ({ uri, state })),
    startTime: record.startTime ?? booking?.startTime ?? null,
    endTime: booking?.endTime ?? end,
    meeting: meeting
      ? { id: meeting.id, joinUrl: meeting.joinUrl, host: meeting.host, live: !isFinished(record) }
      : null,
    attention: attention
      ? {
          reason: attention.reason,
          message: attention.message,
          at: iso(attention.at),
          fix: attentionFix(attention.reason),
        }
      : null,
    replaces: record.replaces,
    supersededBy: record.supersededBy,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    history: record.audit.map(historyLine),
  };
}

export function historyLine(entry: AuditEntry): HistoryLine {
  return {
    at: iso(entry.at),
    via: entry.via ?? null,
    action: entry.action,
    detail: entry.detail ?? null,
    outcome: entry.outcome ?? null,
    text: describeChange(entry),
  };
}

/** One change in words. Unknown actions (written by a newer version) show as they are. */
function describeChange({ action, detail, outcome }: AuditEntry): string {
  switch (action) {
    case 'claimed':
      return 'New booking: making its Zoom meeting';
    case 'reopened':
      return 'Booked again: making a new Zoom meeting';
    case 'invitee_joined':
      return 'Another invitee joined the event';
    case 'invitee_told':
      return 'Invitee told of the meeting';
    case 'lease_taken_over':
      return 'Took over from a delivery that stopped half-way';
    case 'meeting_created':
      return outcome === 'moved'
        ? `Zoom meeting ${detail ?? ''} moved to the new time`
        : `Zoom meeting ${detail ?? ''} created`;
    case 'meeting_moved_out':
      return 'Meeting handed over to the rescheduled booking';
    case 'meeting_moved_in':
      return 'Meeting taken over from the booking it replaces';
    case 'move_abandoned':
      return 'The rescheduled booking was cancelled: the meeting kept for it goes';
    case 'move_expired':
      return 'The meeting kept for a reschedule waited too long: it goes';
    case 'invitee_canceled':
      return 'Invitee cancelled';
    case 'cleanup_done':
      return 'Clean-up done; another invitee still wants a meeting';
    case 'meeting_deleted':
      if (detail === 'already_gone') return 'The meeting was already gone from Zoom';
      if (detail === 'no_meeting') return 'No meeting to delete';
      return 'Zoom meeting deleted';
    case 'lease_released':
      return detail
        ? `Could not be served: ${detail.replace(/_/g, ' ')}`
        : 'Failed for now; Calendly retries the delivery';
    case 'meeting_forgotten':
      return `Zoom meeting ${detail ?? ''} was deleted in Zoom by hand`;
    case 'tombstoned':
      return 'Cancelled before the booking arrived: a late booking makes no meeting';
    default:
      return detail ? `${action} (${detail})` : action;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
