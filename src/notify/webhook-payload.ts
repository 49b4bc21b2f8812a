import {
  NOTIFICATION_TYPES,
  type AttentionReason,
  type BookingContext,
  type DeletedReason,
  type Notice,
  type NotificationType,
} from '../store/outbox';
import { attentionFix } from './attention-fix';

/**
 * The body of a signed notification: the Standard Webhooks envelope `{type, timestamp, data}`.
 * Each type always has the same fields (docs/notifications.md has an example of each).
 */
export interface WebhookPayload {
  type: NotificationType;
  /** When the change happened (ISO 8601 UTC); stays the same across retries. */
  timestamp: string;
  data: WebhookData;
}

export interface WebhookData {
  booking: BookingContext;
  /** Never the host's start URL; the passcode only with NOTIFY_INCLUDE_PASSCODE. */
  meeting: { id: string; joinUrl: string; host: string; passcode?: string | null } | null;
  /** meeting.moved only. */
  previous?: { startTime: string; durationMinutes: number };
  /** meeting.deleted only. */
  reason?: DeletedReason;
  /** booking.needs_attention only. */
  attention?: { reason: AttentionReason; message: string; fix: string; at: string };
}

export interface PayloadOptions {
  includePasscode: boolean;
}

export function isNotificationType(type: string): type is NotificationType {
  return (NOTIFICATION_TYPES as readonly string[]).includes(type);
}

/**
 * Fields are copied one by one rather than spread, so that nothing added to a notice later (a
 * start URL, say) reaches consumers without someone deciding it should.
 */
export function webhookPayload(
  notice: Notice & { type: NotificationType },
  options: PayloadOptions,
): WebhookPayload {
  const { booking, meeting } = notice;
  const data: WebhookData = {
    booking: {
      eventUri: booking.eventUri,
      eventUuid: booking.eventUuid,
      inviteeUri: booking.inviteeUri,
      eventName: booking.eventName,
      hostEmail: booking.hostEmail,
      invitee: {
        name: booking.invitee.name,
        email: booking.invitee.email,
        timezone: booking.invitee.timezone,
      },
      startTime: booking.startTime,
      endTime: booking.endTime,
    },
    meeting: meeting && {
      id: meeting.id,
      joinUrl: meeting.joinUrl,
      host: meeting.host,
      ...(options.includePasscode ? { passcode: meeting.password } : {}),
    },
  };
  if (notice.type === 'meeting.moved' && notice.previous) {
    data.previous = {
      startTime: notice.previous.startTime,
      durationMinutes: notice.previous.durationMinutes,
    };
  }
  if (notice.type === 'meeting.deleted' && notice.reason) data.reason = notice.reason;
  if (notice.type === 'booking.needs_attention' && notice.attention) {
    const { reason, message, at } = notice.attention;
    data.attention = { reason, message, fix: attentionFix(reason), at: iso(at) };
  }
  return { type: notice.type, timestamp: iso(notice.occurredAt), data };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
