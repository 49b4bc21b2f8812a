import { createHash, randomUUID } from 'node:crypto';

/**
 * The notification outbox: what the receiver must tell others about a booking (signed webhooks,
 * invitee email), written by the store in the same atomic step as the lifecycle change it reports.
 * A crash between "meeting created" and "notification sent" therefore loses nothing, and nothing
 * is ever queued for a change that did not happen. A dispatcher (src/notify/) drains it.
 */

/** The lifecycle changes announced by webhook (DESIGN.md, "Notifications"). */
export type NotificationType =
  'meeting.created' | 'meeting.moved' | 'meeting.deleted' | 'booking.needs_attention';

/**
 * Changes that concern one invitee of a group event only (the meeting itself is unchanged): the
 * invitee is told by email, webhook consumers are not.
 */
export type InviteeNoticeType = 'invitee.joined' | 'invitee.left';

export type NoticeType = NotificationType | InviteeNoticeType;

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'meeting.created',
  'meeting.moved',
  'meeting.deleted',
  'booking.needs_attention',
];

/** What a delivery says about its booking: carried into the transition to describe the change. */
export interface BookingContext {
  eventUri: string;
  eventUuid: string;
  inviteeUri: string;
  eventName: string;
  hostEmail: string | null;
  invitee: { name: string; email: string; timezone: string | null };
  /** ISO 8601 UTC. */
  startTime: string;
  endTime: string;
}

/** Why the engine could not serve a booking; each has one fix (see attentionFix). */
export type AttentionReason =
  'host_without_zoom_user' | 'zoom_daily_limit' | 'zoom_refused' | 'configuration';

export interface Attention {
  reason: AttentionReason;
  /** One sentence for people; never a secret or a request body. */
  message: string;
  at: number;
}

/** The meeting as a notice carries it: never the host's start URL. */
export interface NoticeMeeting {
  id: string;
  joinUrl: string;
  /** Sent on only when the operator opts in (NOTIFY_INCLUDE_PASSCODE). */
  password: string | null;
  /** The Zoom user (email) hosting it. */
  host: string;
}

export type DeletedReason = 'cancelled' | 'superseded' | 'deleted_in_zoom' | 'move_abandoned';

export interface Notice {
  /** Stable across retries and channels: the Standard Webhooks `webhook-id`. */
  id: string;
  type: NoticeType;
  occurredAt: number;
  booking: BookingContext;
  meeting: NoticeMeeting | null;
  /** meeting.moved: where the meeting was before. */
  previous: { startTime: string; durationMinutes: number } | null;
  /** meeting.deleted (and invitee.left): why it went. */
  reason: DeletedReason | null;
  /** booking.needs_attention: what went wrong. */
  attention: Attention | null;
  /**
   * The iCalendar SEQUENCE of the meeting's calendar entry (UID per meeting): 0 when made, one
   * more for each move, and for the cancellation.
   */
  sequence: number;
}

/** `email`, or `webhook:<url>`. */
export type Channel = string;

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One notice on its way to one channel. */
export interface OutboxItem {
  /** `<notice id>:<channel key>`. */
  itemId: string;
  channel: Channel;
  notice: Notice;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
  /** A dispatcher holds the item while it sends: no other one sends it meanwhile. */
  lease: { owner: string; expiresAt: number } | null;
}

export type DeliveryResult =
  | { type: 'delivered' }
  /** Try again at `at`; `error` says why this attempt failed (no secrets, no bodies). */
  | { type: 'retry'; at: number; error: string }
  /** Give up: the item is kept as failed until retried by hand or pruned. */
  | { type: 'failed'; error: string };

export interface NotificationOutbox {
  /**
   * Leases up to `limit` items that are due, oldest first, at most one per (booking, channel):
   * an item is due only when every earlier item of its booking on its channel is delivered or
   * failed, so a consumer sees a booking's changes in order.
   */
  claimDue(input: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
  }): Promise<OutboxItem[]>;
  /** Ignored unless `owner` still holds the item. */
  complete(input: {
    itemId: string;
    owner: string;
    now: number;
    result: DeliveryResult;
  }): Promise<void>;
  /** Newest first. Delivered items are kept for a day, failed ones until retried or pruned. */
  list(input: { status?: OutboxStatus; limit?: number; now: number }): Promise<OutboxItem[]>;
  counts(now: number): Promise<Record<OutboxStatus, number>>;
  /** Puts failed items back in the queue, due now. Returns how many. */
  retry(input: { itemIds: string[] } | { allFailed: true }, now: number): Promise<number>;
}

/** Which channels hear of a notice: webhooks of the four public types, email of invitee changes. */
export function channelsFor(type: NoticeType, channels: readonly Channel[]): Channel[] {
  const webhook = (NOTIFICATION_TYPES as readonly string[]).includes(type);
  const email = type !== 'booking.needs_attention';
  return channels.filter((c) => (c === 'email' ? email : webhook && c.startsWith('webhook:')));
}

/** Delivered items stay listable for a day, failed ones for a week, then they are pruned. */
export const DELIVERED_RETENTION_MS = 24 * 3600 * 1000;
export const FAILED_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** What names a channel inside item ids and keys: short, and free of the URL's characters. */
export function channelKey(channel: Channel): string {
  return createHash('sha1').update(channel).digest('hex').slice(0, 10);
}

/**
 * The items a transition's notices become: each notice gets its id (stable across retries, the
 * `webhook-id`), and one item per channel it goes to.
 */
export function outboxItems(
  drafts: readonly Omit<Notice, 'id'>[],
  channels: readonly Channel[],
): OutboxItem[] {
  return drafts.flatMap((draft) => itemsOf({ id: newNoticeId(), ...draft }, channels));
}

/** Items of one booking and channel go out in order: they form one queue. */
export function queueOf(item: OutboxItem): string {
  return `${item.notice.booking.eventUuid}\n${item.channel}`;
}

/** One pending item per channel that hears of the notice. */
function itemsOf(notice: Notice, channels: readonly Channel[]): OutboxItem[] {
  return channelsFor(notice.type, channels).map((channel) => ({
    itemId: `${notice.id}:${channelKey(channel)}`,
    channel,
    notice,
    status: 'pending',
    attempts: 0,
    createdAt: notice.occurredAt,
    nextAttemptAt: notice.occurredAt,
    lastError: null,
    deliveredAt: null,
    lease: null,
  }));
}

function newNoticeId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/** The state an item is in after a delivery attempt's result. */
export function completed(item: OutboxItem, now: number, result: DeliveryResult): OutboxItem {
  const next: OutboxItem = { ...item, lease: null };
  if (result.type === 'delivered') return { ...next, status: 'delivered', deliveredAt: now };
  if (result.type === 'retry') {
    return { ...next, nextAttemptAt: result.at, lastError: result.error };
  }
  // A failed item has no next attempt: the field keeps when it failed, for pruning and display.
  return { ...next, status: 'failed', lastError: result.error, nextAttemptAt: now };
}
