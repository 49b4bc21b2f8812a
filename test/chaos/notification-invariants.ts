import type { OutboxItem } from '../../src/store/outbox';
import type { FakeZoomMeeting } from '../support/fake-zoom-server';
import type { VerifiedDelivery } from '../support/notification-consumer';

/** What the outbox holds at the end, and what the consumer received. */
export interface NotificationState {
  /** Every outbox item the store still lists (delivered ones are kept a day). */
  items: readonly OutboxItem[];
  /** Verified deliveries in arrival order, duplicates included. */
  deliveries: readonly VerifiedDelivery[];
  liveMeetings: readonly FakeZoomMeeting[];
}

export interface NotificationReport {
  /** Notices the store wrote for the consumer's URL. */
  notices: number;
  delivered: number;
  /** Deliveries of a webhook-id already received (allowed: Standard Webhooks consumers dedupe). */
  duplicates: number;
  problems: string[];
}

const MARKER = /\[Calendly booking \S+\/scheduled_events\/([^\]\s]+)\]/;

/**
 * The chaos run's notification invariants: every lifecycle change the store recorded reached the
 * consumer exactly once per webhook-id (repeats only with the same id), nothing reached it that
 * the store never recorded, each booking's notices arrived in the order they were written, and
 * what the consumer was told matches Zoom: every live meeting was announced and not announced
 * gone since, and every meeting announced and no longer live was announced gone.
 */
export function checkNotifications(state: NotificationState): NotificationReport {
  const problems: string[] = [];
  const webhookItems = state.items.filter((i) => i.channel.startsWith('webhook:'));
  const noticeIds = new Set(webhookItems.map((i) => i.notice.id));
  for (const item of webhookItems) {
    if (item.status !== 'delivered') {
      problems.push(`notice ${item.notice.id} (${item.notice.type}) is ${item.status}`);
    }
  }

  const firstArrival = new Map<string, VerifiedDelivery>();
  let duplicates = 0;
  for (const delivery of state.deliveries) {
    if (!noticeIds.has(delivery.webhookId)) {
      problems.push(
        `spurious: ${delivery.payload.type} ${delivery.webhookId} matches no change in the store`,
      );
    }
    if (firstArrival.has(delivery.webhookId)) duplicates += 1;
    else firstArrival.set(delivery.webhookId, delivery);
  }
  for (const id of noticeIds) {
    if (!firstArrival.has(id)) problems.push(`lost: notice ${id} never reached the consumer`);
  }

  // Per booking, in arrival order: the times the changes happened never go backwards.
  const lastAt = new Map<string, number>();
  for (const delivery of firstArrival.values()) {
    const booking = bookingOf(delivery);
    const at = Date.parse(delivery.payload.timestamp);
    if ((lastAt.get(booking) ?? -Infinity) > at) {
      problems.push(
        `out of order: ${delivery.payload.type} of ${booking} arrived after a later change`,
      );
    }
    lastAt.set(booking, at);
  }

  // Meeting by meeting, the last word the consumer had must match Zoom.
  const lastWord = new Map<string, { type: string; booking: string }>();
  for (const delivery of firstArrival.values()) {
    const meetingId = meetingOf(delivery);
    if (meetingId === null) continue;
    lastWord.set(meetingId, { type: delivery.payload.type, booking: bookingOf(delivery) });
  }
  const live = new Set<string>();
  for (const meeting of state.liveMeetings) {
    live.add(meeting.id);
    const word = lastWord.get(meeting.id);
    const booking = MARKER.exec(meeting.agenda ?? '')?.[1];
    if (!word || word.type === 'meeting.deleted') {
      problems.push(
        `unannounced: live meeting ${meeting.id} (booking ${booking}) was ${word ? 'announced gone' : 'never announced'}`,
      );
    }
  }
  for (const [meetingId, word] of lastWord) {
    if (!live.has(meetingId) && word.type !== 'meeting.deleted') {
      problems.push(
        `stale: meeting ${meetingId} of ${word.booking} is gone from Zoom, but the last notice said ${word.type}`,
      );
    }
  }
  return { notices: noticeIds.size, delivered: firstArrival.size, duplicates, problems };
}

function bookingOf(delivery: VerifiedDelivery): string {
  const booking = delivery.payload.data.booking as { eventUuid?: unknown } | undefined;
  return String(booking?.eventUuid ?? '?');
}

function meetingOf(delivery: VerifiedDelivery): string | null {
  const meeting = delivery.payload.data.meeting as { id?: unknown } | null | undefined;
  return typeof meeting?.id === 'string' ? meeting.id : null;
}
