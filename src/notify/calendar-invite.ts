import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import type { Notice, NoticeMeeting } from '../store/outbox';

export interface CalendarInvite {
  method: 'REQUEST' | 'CANCEL';
  /** The iCalendar text (RFC 5545), CRLF line endings. */
  content: string;
}

const CANCELLING: ReadonlySet<Notice['type']> = new Set(['meeting.deleted', 'invitee.left']);

/**
 * One calendar entry per Zoom meeting: the same UID in every email about it and a SEQUENCE that
 * grows with each change, so a calendar client updates or removes the entry it already has
 * instead of adding another. DTSTAMP is the change's time, so a resent email carries the same file.
 */
export function calendarInvite(
  notice: Notice & { meeting: NoticeMeeting },
  options: { description: string },
): CalendarInvite {
  const { booking, meeting } = notice;
  const cancel = CANCELLING.has(notice.type);
  const organizer = booking.hostEmail ?? meeting.host;
  const calendar = ical({
    prodId: { company: 'calendly-zoom', product: 'notifications', language: 'EN' },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  calendar.createEvent({
    id: meetingUid(meeting.id),
    sequence: notice.sequence,
    stamp: new Date(notice.occurredAt),
    start: new Date(booking.startTime),
    end: new Date(booking.endTime),
    summary: booking.eventName,
    description: options.description,
    location: meeting.joinUrl,
    url: meeting.joinUrl,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: organizer, email: organizer },
    attendees: [
      {
        name: booking.invitee.name,
        email: booking.invitee.email,
        role: ICalAttendeeRole.REQ,
        // Booking through Calendly is the acceptance: no RSVP buttons to press.
        status: ICalAttendeeStatus.ACCEPTED,
        rsvp: false,
      },
    ],
  });
  return { method: cancel ? 'CANCEL' : 'REQUEST', content: calendar.toString() };
}

export function meetingUid(meetingId: string): string {
  return `zoom-meeting-${meetingId}@calendly-zoom`;
}
