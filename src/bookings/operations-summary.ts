import type { AuditEntry, AuditOutcome, AuditVia, BookingRecord } from '../store/booking-record';
import type { BookingStore } from '../store/booking-store';
import { viewBooking, type BookingView } from './booking-view';
import { needsAttention } from './find-bookings';

/** What the status page shows of the bookings: one pass over the store. */
export interface OperationsSummary {
  /** The UTC day counted, `YYYY-MM-DD`. */
  day: string;
  /** Deliveries settled today, by how they ended. */
  countsToday: Partial<Record<AuditOutcome, number>>;
  /** Bookings that wait for a person, latest problem first. */
  needsAttention: BookingView[];
  /** The latest settled deliveries, newest first. */
  recentDeliveries: RecentDelivery[];
  /** Records the store holds (finished ones until they expire). */
  bookings: number;
}

export interface RecentDelivery {
  at: string;
  via: AuditVia;
  outcome: AuditOutcome;
  eventUuid: string;
  eventName: string | null;
  inviteeEmail: string | null;
  meetingId: string | null;
}

const DAY_MS = 24 * 3600 * 1000;
/** What one page shows: a phone screen or two of each list. */
const ATTENTION_ROWS = 50;
const RECENT_ROWS = 20;

export async function summariseOperations(
  store: Pick<BookingStore, 'list'>,
  now: number,
): Promise<OperationsSummary> {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const countsToday: Partial<Record<AuditOutcome, number>> = {};
  const attention: BookingRecord[] = [];
  const settled: { record: BookingRecord; entry: SettledEntry }[] = [];
  let bookings = 0;
  for await (const record of store.list()) {
    bookings += 1;
    if (needsAttention(record)) attention.push(record);
    for (const entry of record.audit) {
      if (!isSettled(entry)) continue;
      settled.push({ record, entry });
      if (entry.at >= dayStart) countsToday[entry.outcome] = (countsToday[entry.outcome] ?? 0) + 1;
    }
  }
  const latestProblem = (r: BookingRecord): number => r.attention?.at ?? r.updatedAt;
  return {
    day: new Date(dayStart).toISOString().slice(0, 10),
    countsToday,
    needsAttention: attention
      .sort((a, b) => latestProblem(b) - latestProblem(a))
      .slice(0, ATTENTION_ROWS)
      .map(viewBooking),
    recentDeliveries: settled
      .sort((a, b) => b.entry.at - a.entry.at)
      .slice(0, RECENT_ROWS)
      .map(({ record, entry }) => recentDelivery(record, entry)),
    bookings,
  };
}

/** The change that settled a delivery: it names the delivery and how it ended. */
type SettledEntry = AuditEntry & { via: AuditVia; outcome: AuditOutcome };

function isSettled(entry: AuditEntry): entry is SettledEntry {
  return entry.via !== undefined && entry.outcome !== undefined;
}

function recentDelivery(record: BookingRecord, entry: SettledEntry): RecentDelivery {
  return {
    at: new Date(entry.at).toISOString(),
    via: entry.via,
    outcome: entry.outcome,
    eventUuid: record.eventUuid,
    eventName: record.booking?.eventName || null,
    inviteeEmail: record.booking?.invitee.email || null,
    meetingId: record.meeting?.id ?? null,
  };
}
