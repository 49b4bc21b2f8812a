import type { DeletedReason, Notice } from '../store/outbox';
import { calendarInvite } from './calendar-invite';
import {
  renderTemplate,
  type EmailNoticeType,
  type MailTemplates,
  type TemplateValues,
} from './mail-templates';

export interface MailOptions {
  templates: MailTemplates;
  /** BCP 47, for dates and times. */
  locale: string;
  includePasscode: boolean;
  ccHost: boolean;
}

/** A message for nodemailer's sendMail, less `from` (the transport's default). */
export interface MailMessage {
  to: string;
  cc?: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The same id on every attempt, so a resend after a crash between "sent" and "recorded" is
   * recognisably the same message (mail systems that dedupe by Message-ID drop it).
   */
  messageId: string;
  icalEvent?: { method: 'REQUEST' | 'CANCEL'; filename: string; content: string };
}

const REASONS: Record<DeletedReason, string> = {
  cancelled: 'The booking was cancelled.',
  superseded: 'It was rescheduled: the new time comes in a separate email.',
  deleted_in_zoom: 'The meeting was deleted in Zoom.',
  move_abandoned: 'The booking was cancelled.',
};

/** The email an invitee gets about a notice: plain text, HTML and the calendar entry. */
export function composeMail(
  notice: Notice & { type: EmailNoticeType },
  options: MailOptions,
): MailMessage {
  const { booking, meeting } = notice;
  const timeZone = usableTimeZone(booking.invitee.timezone);
  const when = (iso: string): string => formatWhen(iso, timeZone, options.locale);
  const values: TemplateValues = {
    event: booking.eventName,
    invitee_name: booking.invitee.name,
    invitee_email: booking.invitee.email,
    host_email: booking.hostEmail ?? meeting?.host ?? '',
    join_url: meeting?.joinUrl ?? '',
    passcode: options.includePasscode ? (meeting?.password ?? '') : '',
    meeting_id: meeting?.id ?? '',
    start: when(booking.startTime),
    end: when(booking.endTime),
    time_zone: timeZone,
    previous_start: notice.previous ? when(notice.previous.startTime) : '',
    reason: notice.reason ? REASONS[notice.reason] : '',
  };
  const templates = options.templates[notice.type];
  const text = renderTemplate(templates.text, values, 'text');
  const host = options.ccHost ? values.host_email : '';
  return {
    to: booking.invitee.email,
    ...(host !== '' && host !== booking.invitee.email ? { cc: host } : {}),
    subject: renderTemplate(templates.subject, values, 'subject'),
    text,
    html: renderTemplate(templates.html, values, 'html'),
    messageId: `<${notice.id.replace(/[^A-Za-z0-9._-]/g, '-')}@calendly-zoom>`,
    // A notice about a booking without a meeting has no calendar entry to create or remove.
    ...(meeting
      ? {
          icalEvent: {
            filename: 'invite.ics',
            ...calendarInvite({ ...notice, meeting }, { description: text }),
          },
        }
      : {}),
  };
}

/** The invitee's zone when the runtime knows it, UTC otherwise. */
function usableTimeZone(zone: string | null): string {
  if (zone === null) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

function formatWhen(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}
