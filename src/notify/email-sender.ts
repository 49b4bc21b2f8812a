import { createTransport } from 'nodemailer';
import type { Notice } from '../store/outbox';
import type { MailMessage } from './mail-message';
import { shortError, type SendOutcome } from './send-outcome';

/** Sends one message; resolves when the SMTP server accepted it. */
export type SendMail = (message: MailMessage) => Promise<void>;

export type EmailSender = (notice: Notice) => Promise<SendOutcome>;

/**
 * nodemailer's SMTP transport on SMTP_URL. Its timeouts keep every attempt well inside the
 * dispatcher's lease; parameters in the URL's query string (nodemailer reads them) still win.
 */
export function smtpSendMail(smtpUrl: string, from: string): { send: SendMail; close(): void } {
  const transport = createTransport(
    { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 },
    { from },
  );
  return {
    send: async (message) => {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/** Composes the message for a notice and sends it, turning SMTP failures into outcomes. */
export function createEmailSender(options: {
  sendMail: SendMail;
  compose(notice: Notice): MailMessage | null;
}): EmailSender {
  return async (notice) => {
    if (notice.booking.invitee.email.trim() === '') {
      return { type: 'give_up', error: 'the booking has no invitee email address' };
    }
    const message = options.compose(notice);
    if (message === null) {
      return { type: 'give_up', error: `${notice.type} notices are not sent by email` };
    }

    try {
      await options.sendMail(message);
      return { type: 'delivered' };
    } catch (error) {
      return outcomeOfSmtpError(error);
    }
  };
}

/**
 * A 5xx answer to the envelope (e.g. 550 "no such mailbox") is permanent: resending cannot help.
 * Everything else (connection, TLS, a 4xx "try later", even a rejected login, which an operator
 * can fix within the retry window) is retried.
 */
export function outcomeOfSmtpError(error: unknown): SendOutcome {
  const { code, responseCode, message } = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    message?: unknown;
  };
  const status = typeof responseCode === 'number' ? responseCode : null;
  const text = shortError(
    `SMTP ${typeof code === 'string' ? code : 'error'}${status ? ` ${status}` : ''}: ${String(message ?? error)}`,
  );
  if (code === 'EENVELOPE' && status !== null && status >= 500) {
    return { type: 'give_up', error: text };
  }
  return { type: 'retry', error: text, retryAfterMs: null };
}
