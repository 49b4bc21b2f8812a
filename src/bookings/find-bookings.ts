import { isCalendlyId } from '../calendly/calendly-uri';
import type { BookingRecord } from '../store/booking-record';
import type { BookingStore } from '../store/booking-store';

/** What an operator may look a booking up by (`bookings show`, the status page's search box). */
export type BookingQuery =
  | { by: 'event'; eventUuid: string }
  | { by: 'invitee'; inviteeUri: string }
  | { by: 'email'; email: string }
  | { by: 'meeting'; meetingId: string };

const SCHEDULED_EVENT = /\/scheduled_events\/([^/?#]+)(?:\/invitees\/([^/?#]+))?\/?$/;
/** Zoom meeting ids are 9 to 11 digits today; a little slack either way costs nothing. */
const MEETING_ID = /^\d{8,13}$/;

/**
 * Reads what someone typed: an invitee URI, a scheduled event URI or UUID, an invitee's email or a
 * Zoom meeting id (spaces, as Zoom prints ids, are ignored). Null when it is none of these.
 */
export function parseBookingQuery(text: string): BookingQuery | null {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    const match = SCHEDULED_EVENT.exec(trimmed);
    if (!match) return null;
    const [, eventUuid = '', inviteeUuid] = match;
    if (inviteeUuid !== undefined) return { by: 'invitee', inviteeUri: trimmed.replace(/\/$/, '') };
    return isCalendlyId(eventUuid) ? { by: 'event', eventUuid } : null;
  }
  if (/^[^@\s]+@[^@\s]+$/.test(trimmed)) return { by: 'email', email: trimmed.toLowerCase() };
  const digits = trimmed.replace(/\s+/g, '');
  if (MEETING_ID.test(digits)) return { by: 'meeting', meetingId: digits };
  return isCalendlyId(trimmed) ? { by: 'event', eventUuid: trimmed } : null;
}

/**
 * The bookings a query names, newest change first. URIs and UUIDs are looked up by key; an email
 * or a meeting id means reading every record (the store keeps no index of them), which is what
 * an operator's lookup can afford and a delivery never does.
 */
export async function findBookings(
  store: Pick<BookingStore, 'get' | 'findByInvitee' | 'list'>,
  query: BookingQuery,
): Promise<BookingRecord[]> {
  switch (query.by) {
    case 'event':
      return present(await store.get(query.eventUuid));
    case 'invitee':
      return present(await store.findByInvitee(query.inviteeUri));
    case 'email':
      return scan(store, (r) => r.booking?.invitee.email.toLowerCase() === query.email);
    case 'meeting':
      return scan(store, (r) => r.meeting?.id === query.meetingId);
  }
}

export interface ListBookingsQuery {
  /** Booking statuses, and `needs_attention` for a booking the engine could not serve. */
  statuses?: readonly string[];
  /** Only bookings changed at or after this instant (ms since the epoch). */
  since?: number;
  limit?: number;
}

/** Bookings by their latest change, newest first. */
export async function listBookings(
  store: Pick<BookingStore, 'list'>,
  query: ListBookingsQuery = {},
): Promise<BookingRecord[]> {
  const { statuses, since } = query;
  const found = await scan(
    store,
    (r) =>
      (since === undefined || r.updatedAt >= since) &&
      (statuses === undefined ||
        statuses.includes(r.status) ||
        (statuses.includes('needs_attention') && needsAttention(r))),
  );
  return query.limit === undefined ? found : found.slice(0, query.limit);
}

/**
 * Derived, not stored: a booking the engine could not serve until someone fixes something. Only
 * while work is still owed: a booking cancelled meanwhile needs nothing any more, whatever failed.
 */
export function needsAttention(record: BookingRecord): boolean {
  return (
    (record.status === 'creating' || record.status === 'cancelling') &&
    record.attention !== null &&
    record.attention !== undefined
  );
}

function present(record: BookingRecord | null): BookingRecord[] {
  return record ? [record] : [];
}

async function scan(
  store: Pick<BookingStore, 'list'>,
  keep: (record: BookingRecord) => boolean,
): Promise<BookingRecord[]> {
  const found: BookingRecord[] = [];
  for await (const record of store.list()) if (keep(record)) found.push(record);
  return found.sort((a, b) => b.updatedAt - a.updatedAt);
}
