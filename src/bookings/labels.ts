import type { AuditOutcome } from '../store/booking-record';
import type { BookingView } from './booking-view';

/** How a delivery ended, for people. */
export const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  created: 'meeting created',
  moved: 'meeting moved',
  duplicate: 'already handled',
  cancelled: 'cancelled',
  already_gone: 'cancelled (meeting was already gone)',
  kept_for_other_invitees: 'meeting kept for other invitees',
  tombstoned: 'cancelled before it arrived',
  superseded: 'rescheduled',
  needs_attention: 'needs attention',
  failed: 'failed, will be retried',
};

/** What `bookings list` and the status page call a booking's state. */
export function statusLabel(view: Pick<BookingView, 'status' | 'needsAttention'>): string {
  return view.needsAttention ? `needs attention (${view.status})` : view.status;
}

/** `2026-03-10 14:00 UTC`: minutes are what a booking is about. An ISO time or ms since the epoch. */
export function shortTime(at: string | number | null): string {
  const iso = typeof at === 'number' ? new Date(at).toISOString() : at;
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '';
}

/** `2026-03-10 14:00:05Z`: a line of a booking's history, where seconds tell deliveries apart. */
export function historyTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
